import {
  cancelled,
  createPlanner,
  newId,
  policies,
  replayed,
  type CollectionRecord,
  type Completion,
  type DeliveryQuery,
  type DeliveryState,
  type EndpointRecord,
  type MessageRecord,
  type Store,
} from '../index.js'

/** Builders of store records for store tests: sensible defaults, any field overridable. */

/** The time every fixture is created at. */
export const T0 = Date.UTC(2026, 0, 1)

export function message(over: Partial<MessageRecord> = {}): MessageRecord {
  const id = newId(T0)
  return {
    id,
    tenant: null,
    type: 'entity.changed',
    payload: '{"a":1}',
    requestId: id,
    entityId: null,
    orderingKey: null,
    idempotencyKey: null,
    createdAt: T0,
    ...over,
  }
}

export function collection(over: Partial<CollectionRecord> = {}): CollectionRecord {
  return {
    name: 'events',
    events: null,
    policy: policies.fixed(),
    failureMode: 'each',
    success: null,
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  }
}

export function endpoint(over: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    id: newId(T0),
    tenant: null,
    name: null,
    collection: 'events',
    url: 'https://example.com/hook',
    enabled: true,
    disabledReason: null,
    events: null,
    headers: {},
    timeoutMs: null,
    success: null,
    appendRequestId: false,
    auth: null,
    description: null,
    maxInFlight: null,
    ratePerSecond: null,
    pausedUntil: null,
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  }
}

export function completion(
  claim: { delivery: { id: string; attempts: number }; leaseToken: string },
  over: Partial<Completion> = {},
): Completion {
  return {
    deliveryId: claim.delivery.id,
    leaseToken: claim.leaseToken,
    state: 'delivered',
    attempts: claim.delivery.attempts + 1,
    nextAttemptAt: null,
    progress: {},
    lastError: null,
    completedAt: T0,
    updatedAt: T0,
    attemptLog: [],
    disableEndpoints: [],
    ...over,
  }
}

/** One expansion pass with core's planner and no lease; returns how many messages it expanded. */
export async function expandOnce(store: Store, options: { limit: number; now: number }): Promise<number> {
  return (await store.queue.expand({ ...options, planner: createPlanner() })).expanded
}

/** The ids of every delivery matching `query`, read `limit` at a time through the `after` cursor. */
export async function pagedDeliveryIds(store: Store, query: Omit<DeliveryQuery, 'after' | 'limit'>, limit: number): Promise<string[]> {
  const ids: string[] = []
  for (let after: string | undefined; ;) {
    const page = await store.queue.listDeliveries({ ...query, limit, ...(after === undefined ? {} : { after }) })
    if (page.length === 0) return ids
    ids.push(...page.map((d) => d.id))
    after = page.at(-1)!.id
  }
}

/** Replays deliveries in one of `from` through the store's `transition` and core's rule. */
export function requeue(store: Store, ids: string[], now: number, from: DeliveryState[]): Promise<string[]> {
  return store.queue.transition({ ids, from, now, apply: replayed(now) })
}

/** Cancels pending deliveries through the store's `transition` and core's rule. */
export function cancel(store: Store, ids: string[], now: number, reason: string): Promise<string[]> {
  return store.queue.transition({ ids, from: ['pending'], now, apply: cancelled(now, reason) })
}
