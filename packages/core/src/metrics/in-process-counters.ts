import type { EventEmitter } from 'eventemitter3'
import type { AttemptEvent, OutboxEvents } from '../events.js'
import type { DeliveryState } from '../store/records.js'
import { LatencyHistogram, type LatencySnapshot } from './latency-histogram.js'

/** Attempts by outcome: `ack`, `retry`, `stop`, or `error` when no response came. */
export type AttemptCounts = Record<AttemptEvent['outcome'], number>

/** Deliveries that reached a final state, by state. */
export interface CompletedCounts {
  delivered: number
  failed: number
  dead: number
}

/** What this process has seen since the outbox was created (other processes count their own). */
export interface ProcessCounters {
  /** When counting began (outbox clock, epoch ms). */
  since: number
  /** HTTP attempts by outcome. */
  attempts: AttemptCounts
  /** Deliveries settled in a final state by this process's dispatcher. */
  completed: CompletedCounts
  /** Rounds that failed and were scheduled again. */
  retries: number
  /** Messages that matched no enabled endpoint. */
  unrouted: number
  /** Endpoints disabled by a response (410 Gone by default). */
  endpointsDisabled: number
  /** Dispatcher-side failures (`error` events). */
  errors: number
  /** Latency of every HTTP attempt. */
  latency: LatencySnapshot
}

/**
 * What the dispatcher reports of every attempt and round, called where it emits their events:
 * a call, not a listener, so without other listeners no event payload is built per delivery.
 */
export interface DeliveryCounter {
  /** An attempt ended (where `attempt` is emitted). */
  attempt(outcome: AttemptEvent['outcome'], latencyMs: number): void
  /** A round's outcome is durable (where `retrying`, `delivered`, `failed` or `dead` is emitted). */
  round(state: DeliveryState): void
}

/**
 * Counts the outbox's events: the dispatcher's attempts and rounds through
 * {@link DeliveryCounter}, the rarer events through the emitter.
 */
export class InProcessCounters implements DeliveryCounter {
  readonly #since: number
  readonly #attempts: AttemptCounts = { ack: 0, retry: 0, stop: 0, error: 0 }
  readonly #completed: CompletedCounts = { delivered: 0, failed: 0, dead: 0 }
  readonly #latency = new LatencyHistogram()
  #retries = 0
  #unrouted = 0
  #endpointsDisabled = 0
  #errors = 0

  constructor(emitter: EventEmitter<OutboxEvents>, since: number) {
    this.#since = since
    emitter.on('unrouted', () => void this.#unrouted++)
    emitter.on('endpoint.disabled', () => void this.#endpointsDisabled++)
    emitter.on('error', () => void this.#errors++)
  }

  /** {@inheritDoc DeliveryCounter.attempt} */
  attempt(outcome: AttemptEvent['outcome'], latencyMs: number): void {
    this.#attempts[outcome] = (this.#attempts[outcome] ?? 0) + 1
    this.#latency.record(latencyMs)
  }

  /** {@inheritDoc DeliveryCounter.round} */
  round(state: DeliveryState): void {
    if (state === 'pending') this.#retries++
    else this.#completed[state]++
  }

  /** A copy of the counters now. */
  snapshot(): ProcessCounters {
    return {
      since: this.#since,
      attempts: { ...this.#attempts },
      completed: { ...this.#completed },
      retries: this.#retries,
      unrouted: this.#unrouted,
      endpointsDisabled: this.#endpointsDisabled,
      errors: this.#errors,
      latency: this.#latency.snapshot(),
    }
  }
}
