import { matchesEvent } from '../event-filter.js'
import { newId } from '../ids.js'
import type { DeliveryDraft, RoutingSnapshot } from '../store/store.js'
import type { MessageRecord } from '../store/records.js'

/**
 * Expands a message into deliveries: one per matching collection in `majority` mode (all its
 * endpoints that want the event), one per matching endpoint in `each` mode. Disabled endpoints
 * and collections are left out; they do not receive what was sent while they were off.
 */
export function planDeliveries(message: MessageRecord, routing: RoutingSnapshot): DeliveryDraft[] {
  const drafts: DeliveryDraft[] = []
  for (const collection of routing.collections) {
    if (!collection.enabled || !matchesEvent(collection.events, message.type)) continue
    const targets = routing.endpoints
      .filter((e) => e.collection === collection.name && e.enabled && matchesEvent(e.events, message.type))
      .map((e) => e.id)
      .sort()
    if (targets.length === 0) continue
    if (collection.failureMode === 'majority') {
      drafts.push({ id: newId(message.createdAt), collection: collection.name, failureMode: 'majority', endpointId: null, targets })
    } else {
      for (const endpointId of targets)
        drafts.push({ id: newId(message.createdAt), collection: collection.name, failureMode: 'each', endpointId, targets: [endpointId] })
    }
  }
  return drafts
}
