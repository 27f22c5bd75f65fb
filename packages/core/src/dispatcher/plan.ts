import { randomUUID } from 'node:crypto'
import { matchesEvent } from '../event-filter.js'
import { newId } from '../ids.js'
import { newDelivery, type DeliveryRoute } from '../store/new-delivery.js'
import type { NewDelivery, PlanInput, PlanResult, Planner, RoutingInput } from '../store/planner.js'
import type { Claim } from '../store/queue-store.js'
import type { CollectionRecord, EndpointRecord, MessageRecord } from '../store/records.js'
import { groupEndpoints, reachedBy, RoutingSnapshot, type EndpointGroups } from './routing-snapshot.js'

/** A route with its target endpoints' records, so planning never looks them up by id again. */
interface PlannedRoute extends DeliveryRoute {
  endpoints: EndpointRecord[]
}

/**
 * Routes a message: one delivery per matching collection in `majority` mode (all its
 * endpoints that want the event), one per matching endpoint in `each` mode. Only endpoints of
 * the message's own tenant are considered (none: only endpoints with no tenant), so nothing ever
 * crosses tenants and a `majority` counts that tenant's endpoints. Disabled endpoints and
 * collections are left out; they do not receive what was sent while they were off. `groups`:
 * endpoints by tenant and collection (other tenants' may be there too: only the message's own
 * are read); `collections`: those whose filter matches the message's type (enabled or not).
 */
export function routeMessage(message: MessageRecord, collections: readonly CollectionRecord[], groups: EndpointGroups): PlannedRoute[] {
  const routes: PlannedRoute[] = []
  const byCollection = groups.get(message.tenant)
  if (!byCollection) return routes
  for (const collection of collections) {
    if (!collection.enabled) continue
    const group = byCollection.get(collection.name)
    if (!group) continue
    // Each group is sorted by id already: the targets come out sorted.
    const endpoints: EndpointRecord[] = []
    for (const e of group) if (e.enabled && matchesEvent(e.events, message.type)) endpoints.push(e)
    if (endpoints.length === 0) continue
    if (collection.failureMode === 'majority') {
      const targets = endpoints.map((e) => e.id)
      routes.push({
        id: newId(message.createdAt),
        collection: collection.name,
        failureMode: 'majority',
        endpointId: null,
        targets,
        endpoints,
      })
    } else {
      for (const e of endpoints)
        routes.push({
          id: newId(message.createdAt),
          collection: collection.name,
          failureMode: 'each',
          endpointId: e.id,
          targets: [e.id],
          endpoints: [e],
        })
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
  /**
   * What {@link Planner.fromMemory} last answered and the snapshot's groups it came from: a
   * plan given that input routes from the groups as they are instead of regrouping the
   * batch's endpoints (about 300 for 100 messages of 100 tenants).
   */
  let held: { input: RoutingInput; groups: EndpointGroups } | undefined
  const reach = (messages: MessageRecord[], collections: CollectionRecord[]): string[] =>
    reachedBy(messages, collections).map((c) => c.name)
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
      const groups = held?.input.endpoints === endpoints && held.input.collections === collections ? held.groups : groupEndpoints(endpoints)
      held = undefined
      const disabled = new Set(disabledTenants)
      const token = randomUUID()
      const byName = new Map(collections.map((c) => [c.name, c]))
      const byType = new Map<string, CollectionRecord[]>()
      const deliveries: NewDelivery[] = []
      const claims: Claim[] = []
      for (const message of messages) {
        // The collections matching each type, once per batch (a filter match splits strings).
        let matching = byType.get(message.type)
        if (!matching) byType.set(message.type, (matching = collections.filter((c) => c.enabled && matchesEvent(c.events, message.type))))
        const routes = routeMessage(message, matching, groups)
        if (routes.length === 0) options.onUnrouted?.(message)
        for (const route of routes) {
          const delivery = newDelivery(message, route, now, byName.get(route.collection)!.policy)
          const targets = route.endpoints
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
      const input = routing?.version === version ? routing.input(messages) : undefined
      held = input && { input, groups: routing!.groups }
      readAt = input ? undefined : version
      return input
    },
    collectionsAt: (version) => (routing?.version === version ? routing.collections : undefined),
  }
}
