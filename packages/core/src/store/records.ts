import type { RetryPolicy } from '../policies/policy.js'
import type { SuccessRule } from '../success-rule.js'

/** How a collection decides that a message has been delivered. */
export type FailureMode = 'majority' | 'each'

/** Lifecycle of a delivery. `pending` may be retried; the other three are final until replayed. */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'dead'

/** An outbox row, as written by `notify`. Times are epoch milliseconds. */
export interface MessageRecord {
  id: string
  /** The customer the event is about; null: the platform itself (only endpoints with no tenant). */
  tenant: string | null
  type: string
  /** The payload as JSON text, exactly as it will be sent. */
  payload: string
  requestId: string
  entityId: string | null
  orderingKey: string | null
  idempotencyKey: string | null
  createdAt: number
}

/** A collection as stored. */
export interface CollectionRecord {
  name: string
  /** Event types or globs; null means every event. */
  events: string[] | null
  policy: RetryPolicy
  failureMode: FailureMode
  success: SuccessRule | null
  /** A disabled collection gets no new deliveries, and its pending ones wait. */
  enabled: boolean
  createdAt: number
  updatedAt: number
}

/** An endpoint as stored. Secrets in `auth` are stored as the auth layer hands them over. */
export interface EndpointRecord {
  id: string
  /** The customer that owns it; null: the platform's own. Never changes. */
  tenant: string | null
  /** Stable key chosen by the host (`endpoints.upsert`), unique per tenant; null: unnamed. */
  name: string | null
  collection: string
  url: string
  enabled: boolean
  disabledReason: string | null
  /** Narrows the collection's filter for this endpoint; null means the collection's. */
  events: string[] | null
  headers: Record<string, string>
  timeoutMs: number | null
  success: SuccessRule | null
  appendRequestId: boolean
  auth: Record<string, unknown> | null
  description: string | null
  /** Most attempts in flight to this endpoint at once, per dispatcher process; null: no cap. */
  maxInFlight: number | null
  /** Most attempts started per second, per dispatcher process; null: no cap. */
  ratePerSecond: number | null
  /** Circuit breaker: no attempts before this time (epoch ms); null when closed. */
  pausedUntil: number | null
  /** Start of the current run of failures (epoch ms); null after a success. */
  failingSince: number | null
  createdAt: number
  updatedAt: number
}

/**
 * Per-endpoint progress inside a delivery: acknowledged, stopped for good by its answer (e.g.
 * 400), or gone (the endpoint was deleted; it no longer counts towards the majority).
 */
export type EndpointProgress = 'acked' | 'stopped' | 'gone'

/** A message owed to a collection (majority) or to one endpoint (each). */
export interface DeliveryRecord {
  id: string
  messageId: string
  /** The message's tenant (null: none). */
  tenant: string | null
  collection: string
  failureMode: FailureMode
  /** The endpoint, in `each` mode; null in `majority` mode. */
  endpointId: string | null
  /** Endpoints this delivery goes to, fixed when the message was expanded. */
  targets: string[]
  /** Which targets acknowledged or stopped for good. */
  progress: Record<string, EndpointProgress>
  state: DeliveryState
  /** Rounds attempted since the schedule began. */
  attempts: number
  nextAttemptAt: number | null
  /** Start of the current schedule: creation, or the last replay. */
  windowStart: number
  /**
   * The policy's end for this schedule (epoch ms, `windowStart + policyEndMs(policy)`): the
   * delivery is final by then, paused or disabled targets or not; null when no end is known.
   */
  deadline: number | null
  lastError: string | null
  orderingKey: string | null
  createdAt: number
  updatedAt: number
  completedAt: number | null
}

/** How an attempt ended: `ack`, `stop`, `retry` or, with no response, `error`. */
export type AttemptOutcome = 'ack' | 'stop' | 'retry' | 'error'

/** One HTTP attempt to one endpoint. */
export interface AttemptRecord {
  id: string
  deliveryId: string
  /** The delivery's tenant (null: none). */
  tenant: string | null
  endpointId: string
  /** The delivery's attempt round this belongs to (1 = first). */
  round: number
  url: string
  startedAt: number
  latencyMs: number
  statusCode: number | null
  outcome: AttemptOutcome
  error: string | null
  /** First bytes of the response body. */
  responseSnippet: string | null
}

/** A stored result for FrankieOne `/retrieve` and Attestr GetAsyncResponse. */
export interface ResultRecord {
  requestId: string
  /** The tenant it was stored for; it is only ever returned for the same tenant (null: none). */
  tenant: string | null
  status: number
  body: unknown
  createdAt: number
  expiresAt: number
}

/** A tenant's state: a disabled tenant is sent nothing, and what it is owed waits (up to each policy's end). */
export interface TenantRecord {
  tenant: string
  enabled: boolean
  disabledReason: string | null
  createdAt: number
  updatedAt: number
}
