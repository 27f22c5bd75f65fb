import { deliveryDeadline } from '../policies/policy-end.js'
import type { RetryPolicy } from '../policies/policy.js'
import type { DeliveryRecord, FailureMode, MessageRecord } from './records.js'

/** What routing decides about a new delivery; {@link newDelivery} adds the rest. */
export interface DeliveryRoute {
  id: string
  collection: string
  failureMode: FailureMode
  /** The endpoint in `each` mode; null in `majority` mode. */
  endpointId: string | null
  targets: string[]
}

/**
 * A new delivery of `message` with every default spelled out once: pending, no attempts, due
 * and its schedule started at `now`, its end set by its collection's `policy`, no progress, the
 * message's tenant and ordering key. Stores write these rows as given.
 */
export function newDelivery(message: MessageRecord, route: DeliveryRoute, now: number, policy: RetryPolicy): DeliveryRecord {
  const deadline = deliveryDeadline(policy, now)
  // Fields copied one by one: a spread followed by more properties costs V8 microseconds per
  // object (a slow clone path), and this runs once per delivery in every expansion.
  return {
    id: route.id,
    collection: route.collection,
    failureMode: route.failureMode,
    endpointId: route.endpointId,
    targets: route.targets,
    messageId: message.id,
    tenant: message.tenant,
    progress: {},
    state: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    windowStart: now,
    deadline: Number.isFinite(deadline) ? deadline : null,
    lastError: null,
    orderingKey: message.orderingKey,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  }
}
