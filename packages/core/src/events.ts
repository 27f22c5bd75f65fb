import type { AttemptOutcome, DeliveryRecord } from './store/records.js'

/** Payload of the `attempt` event: one attempt (HTTP or another transport) to one endpoint. */
export interface AttemptEvent {
  deliveryId: string
  messageId: string
  /** The message's tenant (null: none). */
  tenant: string | null
  requestId: string
  type: string
  endpointId: string
  url: string
  round: number
  outcome: AttemptOutcome
  statusCode: number | null
  latencyMs: number
  error: string | null
}

/** Payload of `delivered`, `retrying`, `failed` and `dead`. */
export interface DeliveryEvent {
  delivery: DeliveryRecord
  /** The message's tenant (null: none); also `delivery.tenant`. */
  tenant: string | null
  /** The event type of the message. */
  type: string
  requestId: string
  /** Endpoints that did not acknowledge (a tolerated minority in `majority` mode). */
  failedEndpoints: string[]
  /** Last error seen, if any. */
  error: string | null
}

/** Payload of `retrying`. */
export interface RetryingEvent extends DeliveryEvent {
  nextAttemptAt: number
}

/** Payload of `error`: something went wrong in the dispatcher itself (not a receiver). */
export interface ErrorEvent {
  error: unknown
  /**
   * Where it happened: `expand`, `claim`, `complete`, `deliver`, `wake`, `hook`, `purge`, or
   * `auth` (an endpoint's credentials cannot be applied: it is not sent to until fixed).
   */
  phase: string
  /** The endpoint concerned, for `auth`. */
  endpointId?: string
}

/** Payload of `unrouted`: a message no enabled endpoint wanted when it was expanded. */
export interface UnroutedEvent {
  messageId: string
  /** The message's tenant (null: none). */
  tenant: string | null
  type: string
  requestId: string
}

/** Payload of `endpoint.disabled`. */
export interface EndpointDisabledEvent {
  endpointId: string
  /** The endpoint's tenant (null: none), when known. */
  tenant?: string | null
  reason: string
}

/** Payload of `endpoint.paused`: the circuit breaker opened. */
export interface EndpointPausedEvent {
  endpointId: string
  /** No attempts before this time (epoch ms); then one probe decides. */
  until: number
  reason: string
}

/** Payload of `endpoint.recovered`: a probe succeeded after the breaker had opened. */
export interface EndpointRecoveredEvent {
  endpointId: string
  /** When its current run of failures began (epoch ms), if known. */
  failingSince: number | null
}

/**
 * Events an outbox emits. Listen for `error` first: a dispatcher never throws, it reports.
 *
 * @example
 * ```ts
 * outbox.on('error', ({ error, phase }) => log.error({ error, phase }, 'hookbox'))
 * outbox.on('dead', ({ delivery }) => pageSupport(delivery))
 * ```
 */
export interface OutboxEvents {
  /** Every attempt, successful or not, whatever its transport. */
  attempt: [AttemptEvent]
  /** A delivery reached `delivered`. */
  delivered: [DeliveryEvent]
  /** A round failed and another is scheduled. */
  retrying: [RetryingEvent]
  /** A delivery reached `failed` (no retries left, no dead letter: fireOnce). */
  failed: [DeliveryEvent]
  /** A delivery was dead-lettered. */
  dead: [DeliveryEvent]
  /** A message matched no enabled endpoint, so nothing will be sent for it. */
  unrouted: [UnroutedEvent]
  /** An endpoint was disabled: by a response (410 Gone by default) or after failing too long. */
  'endpoint.disabled': [EndpointDisabledEvent]
  /** An endpoint's circuit breaker opened: its attempts pause until a probe. */
  'endpoint.paused': [EndpointPausedEvent]
  /** An endpoint answered again after its breaker had opened. */
  'endpoint.recovered': [EndpointRecoveredEvent]
  /** A dispatcher-side failure; work is retried by the next pass. */
  error: [ErrorEvent]
}
