import { randomUUID } from 'node:crypto'
import { matchesEvent } from '../event-filter.js'
import { newId } from '../ids.js'
import { newDelivery, type DeliveryRoute } from '../store/new-delivery.js'
import type { NewDelivery, PlanInput, PlanResult, Planner } from '../store/planner.js'
import type { Claim } from '../store/queue-store.js'
import type { CollectionRecord, EndpointRecord, MessageRecord } from '../store/records.js'
import { groupEndpoints, routeKey, RoutingSnapshot } from './routing-snapshot.js'

/**
 * Routes a message: one delivery per matching collection in `majority` mode (all its
 * endpoints that want the event), one per matching endpoint in `each` mode. Only endpoints of
 * the message's own tenant are considered (none: only endpoints with no tenant), so nothing ever
 * crosses tenants and a `majority` counts that tenant's endpoints. Disabled endpoints and
 * collections are left out; they do not receive what was sent while they were off.
 */
export function routeMessage(
  message: MessageRecord,
  collections: CollectionRecord[],
  endpoints: ReadonlyMap<string, EndpointRecord[]>,
): DeliveryRoute[] {
  const routes: DeliveryRoute[] = []
  for (const collection of collections) {
    if (!collection.enabled || !matchesEvent(collection.events, message.type)) continue
    // Each group is sorted by id already: the targets come out sorted.
    const targets = (endpoints.get(routeKey(message.tenant, collection.name)) ?? [])
      .filter((e) => e.enabled && matchesEvent(e.events, message.type))
      .map((e) => e.id)
    if (targets.length === 0) continue
    if (collection.failureMode === 'majority') {
      routes.push({ id: newId(message.createdAt), collection: collection.name, failureMode: 'majority', endpointId: null, targets })
    } else {
      for (const endpointId of targets)
        routes.push({ id: newId(message.createdAt), collection: collection.name, failureMode: 'each', endpointId, targets: [endpointId] })
    }
  }
  return routes
}

/** Options of {@link createPlanner}. */
export interface PlannerOptions {
  /** Called (inside the store's transaction) for each message that gets no delivery. */
  onUnrouted?: (message: MessageRecord) => void
  /** Configuration held in memory, used by {@link Planner.fromMemory} while the store's version matches. */
  routing?: RoutingSnapshot
  /** Called with the store's config version each time {@link Planner.fromMemory} is asked. */
  onVersion?: (version: number) => void
  /**
   * Called after a batch the store read the routing for, with `routing` (or, at another version,
   * a new partial snapshot) having learned that read: the dispatcher keeps it for the next batches.
   */
  onLearned?: (routing: RoutingSnapshot) => void
  /**
   * Whether a new delivery to these endpoints may be leased now; saying yes reserves their room
   * for the rest of the batch. Unset: any may (up to `lease.limit`).
   */
  admitLease?: (endpoints: readonly EndpointRecord[]) => boolean
}

/**
 * Core's routing as the {@link Planner} every store's expansion calls: `reach` prefilters the
 * collections a batch can match (tenants may have thousands of endpoints), `plan` builds every
 * row with its defaults and leases up to `lease.limit` new deliveries without an ordering key
 * under one fresh token (none of a disabled tenant).
 */
export function createPlanner(options: PlannerOptions = {}): Planner {
  let routing = options.routing
  /** The version the store read for the batch being planned, when it read the routing itself. */
  let readAt: number | undefined
  const reach = (messages: MessageRecord[], collections: CollectionRecord[]): string[] => {
    const types = [...new Set(messages.map((m) => m.type))]
    return collections.filter((c) => c.enabled && types.some((type) => matchesEvent(c.events, type))).map((c) => c.name)
  }
  /** The store's read for this batch, at `version` (read first, in the same transaction): kept for the next batches. */
  const learn = (version: number, input: PlanInput) => {
    if (routing?.version !== version) routing = RoutingSnapshot.partial(version, input.collections)
    routing.learnBatch(input.messages, reach(input.messages, input.collections), input)
    options.onLearned?.(routing)
  }
  return {
    reach,
    plan({ now, lease }, input: PlanInput): PlanResult {
      const { messages, collections, endpoints, disabledTenants } = input
      if (readAt !== undefined) learn(readAt, input)
      readAt = undefined
      const disabled = new Set(disabledTenants)
      const token = randomUUID()
      const byName = new Map(collections.map((c) => [c.name, c]))
      const byId = new Map(endpoints.map((e) => [e.id, e]))
      const groups = groupEndpoints(endpoints)
      const deliveries: NewDelivery[] = []
      const claims: Claim[] = []
      for (const message of messages) {
        const routes = routeMessage(message, collections, groups)
        if (routes.length === 0) options.onUnrouted?.(message)
        for (const route of routes) {
          const delivery = newDelivery(message, route, now, byName.get(route.collection)!.policy)
          const targets = route.targets.flatMap((id) => byId.get(id) ?? [])
          const leased =
            lease !== undefined &&
            claims.length < lease.limit &&
            message.orderingKey === null &&
            (message.tenant === null || !disabled.has(message.tenant)) &&
            (options.admitLease?.(targets) ?? true)
          deliveries.push({ delivery, lease: leased ? { owner: lease.owner, until: now + lease.leaseMs, token } : null })
          if (leased)
            claims.push({
              delivery,
              message,
              collection: byName.get(route.collection)!,
              endpoints: targets,
              leaseToken: token,
              tenantEnabled: true,
            })
        }
      }
      return { deliveries, claims }
    },
    fromMemory(messages, version) {
      options.onVersion?.(version)
      const held = routing?.version === version ? routing.input(messages) : undefined
      readAt = held ? undefined : version
      return held
    },
  }
}
