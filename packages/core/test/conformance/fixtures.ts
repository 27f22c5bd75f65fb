import { newId, policies, type CollectionRecord, type Completion, type EndpointRecord, type MessageRecord } from '../../src/index.js'

/** Builders of store records for store tests: sensible defaults, any field overridable. */

/** The time every fixture is created at. */
export const T0 = Date.UTC(2026, 0, 1)

export function message(over: Partial<MessageRecord> = {}): MessageRecord {
  const id = newId(T0)
  return {
    id,
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
