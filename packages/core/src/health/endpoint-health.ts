import type { EventEmitter } from 'eventemitter3'
import type { Clock } from '../clock.js'
import type { OutboxEvents } from '../events.js'
import type { AttemptOutcome, EndpointRecord } from '../store/records.js'
import type { EndpointHealth as HealthPatch, Store } from '../store/store.js'
import type { EndpointHealthOptions } from './health-options.js'
import { EndpointState, effective } from './endpoint-state.js'

/** Whether an attempt to an endpoint may start now. */
export type Admission =
  | { kind: 'go' }
  /**
   * Held back by a limit: try the delivery again at `until`, without using up a retry.
   * `growing`: only the in-flight window held it, and that window is still widening with each
   * answer, so room is expected within about one latency (`until` is then that soon).
   */
  | { kind: 'defer'; until: number; growing?: boolean }
  /** The breaker is open until `until`. */
  | { kind: 'paused'; until: number }
  /**
   * The pause is over: this attempt may be the probe, if it wins the probe's lease through the
   * store ({@link EndpointHealth.leaseProbe}), which holds every other dispatcher off until `until`.
   */
  | { kind: 'probe'; until: number }

/** What {@link EndpointHealth.check} needs to know about the attempt. */
export interface AdmissionContext {
  /** The attempt's bound (ms). */
  timeoutMs: number
  /** Whether the in-flight window applies (not in a `drain()` pass, which sends a batch at once). */
  adaptive: boolean
  /** The collection's policy lets the breaker hold attempts back (`whilePaused: 'wait'`). */
  holds: boolean
  /** The delivery has reached its policy's end: its last attempt goes whatever the limits say. */
  atEnd: boolean
}

/** The admission of nearly every attempt: one shared, frozen object, not one per attempt. */
const GO: Admission = Object.freeze({ kind: 'go' })

/**
 * The failure rate the breaker is sure of: the lower bound of its Wilson score interval at 1.5
 * standard deviations (about 93% one-sided). 5 failures in 6 give 0.53, 14 in 21 give 0.50,
 * 4 in 5 give 0.47 and 40 in 100 give 0.33.
 */
function failureRateAtLeast(failed: number, total: number): number {
  const z = 1.5
  const p = failed / total
  const centre = p + (z * z) / (2 * total)
  const spread = z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total))
  return (centre - spread) / (1 + (z * z) / total)
}

/** Time a probe's lease lasts past the attempt's timeout, for the write-back of its outcome. */
const PROBE_LEASE_MARGIN_MS = 5_000

/**
 * Per-endpoint limits, adaptive in-flight window, circuit breaker and auto-disable for one
 * dispatcher. Limits and the window are per process; the breaker's pause and the start of a run of
 * failures are written to the endpoint row, so every dispatcher honours them, and the half-open
 * probe is leased through that row, so all dispatchers together send one. The breaker only
 * opens for endpoints whose collection's policy says `whilePaused: 'wait'`: by default a schedule
 * is kept whatever the receiver does.
 */
export class EndpointHealth {
  readonly #states = new Map<string, EndpointState>()
  /**
   * Endpoints that may be blocked: those checked or sent to since {@link blocked} last found them
   * idle. A claim looks at these only, not at every endpoint this process ever sent to (30,000
   * for 10,000 tenants, at each claim).
   */
  readonly #watched = new Set<string>()
  readonly #o: EndpointHealthOptions
  readonly #store: Store
  readonly #clock: Clock
  readonly #emitter: EventEmitter<OutboxEvents>

  readonly #maxWindow: number
  readonly #writes = new Set<Promise<unknown>>()

  /** `maxWindow` is the dispatcher's concurrency: no endpoint needs more. */
  constructor(
    options: EndpointHealthOptions,
    deps: { store: Store; clock: Clock; emitter: EventEmitter<OutboxEvents>; maxWindow: number },
  ) {
    this.#o = options
    this.#maxWindow = Math.max(deps.maxWindow, options.initialWindow)
    this.#store = deps.store
    this.#clock = deps.clock
    this.#emitter = deps.emitter
  }

  #state(id: string): EndpointState {
    let s = this.#states.get(id)
    if (!s) this.#states.set(id, (s = new EndpointState(this.#o.initialWindow)))
    return s
  }

  /**
   * Decides whether an attempt may start. At a delivery's end nothing holds its last attempt
   * back; the breaker holds only endpoints whose policy opted in ({@link AdmissionContext.holds}).
   */
  check(e: EndpointRecord, now: number, ctx: AdmissionContext): Admission {
    const s = this.#state(e.id)
    s.maxInFlight = e.maxInFlight
    s.ratePerSecond = e.ratePerSecond
    s.holds = ctx.holds
    this.#watched.add(e.id)
    if (ctx.atEnd) return GO
    if (ctx.holds) {
      const paused = effective(e.pausedUntil, s.pausedUntil, e.updatedAt)
      if (paused !== null && paused > now) return { kind: 'paused', until: paused }
      // Half-open: one probe at a time decides; the rest wait until it has surely ended.
      if (paused !== null && s.probing) return { kind: 'defer', until: now + ctx.timeoutMs }
      if (paused !== null) {
        // Reserved in this process at once; across dispatchers the store's lease decides.
        s.probing = true
        return { kind: 'probe', until: now + ctx.timeoutMs + PROBE_LEASE_MARGIN_MS }
      }
    }
    const cap = Math.min(ctx.adaptive ? s.window : Infinity, e.maxInFlight ?? Infinity)
    if (s.inFlight >= cap) {
      // Spreading deliveries out a slot's worth apart fits a window that stays put; one that widens
      // with every answer (at start, 2 wide) has room within about one latency, and spreading a
      // claim batch after another up to seconds ahead left the loop asleep with work waiting.
      if (ctx.adaptive && s.window < Math.min(this.#maxWindow, e.maxInFlight ?? Infinity) && s.failStreak === 0)
        return { kind: 'defer', until: now + Math.max(1, Math.ceil(s.latencyMs)), growing: true }
      return { kind: 'defer', until: s.spreadSlots(now, Math.max(1, s.latencyMs / cap)) }
    }
    if (e.ratePerSecond !== null && s.nextStart > now) return { kind: 'defer', until: s.spreadRate(s.nextStart, 1000 / e.ratePerSecond) }
    return GO
  }

  /**
   * Endpoints that cannot take another attempt now (window or `maxInFlight` full, rate spent,
   * probe out), so the claim leaves their deliveries in the queue instead of taking and
   * deferring them over and over.
   */
  blocked(now: number, adaptive = true): string[] {
    const ids: string[] = []
    for (const id of this.#watched) {
      const s = this.#states.get(id)
      const cap = s ? Math.min(adaptive ? s.window : Infinity, s.maxInFlight ?? Infinity) : 0
      if (!s) this.#watched.delete(id)
      else if (s.inFlight >= cap || s.probing || (s.ratePerSecond !== null && s.nextStart > now)) ids.push(id)
      // Idle and under every limit: only a check or an acquire can block it again, and both watch it.
      else if (s.inFlight === 0 && cap > 0) this.#watched.delete(id)
    }
    return ids.sort()
  }

  /**
   * How many more attempts to `e` {@link check} would let start now in this process: the room
   * left in its in-flight window and `maxInFlight`, at most one while it has a rate limit and
   * none while that rate is spent or a probe is out. Expansion leases no more than this, so it
   * does not lease deliveries only to defer them.
   */
  room(e: EndpointRecord, now: number): number {
    const s = this.#state(e.id)
    if (s.probing || (e.ratePerSecond !== null && s.nextStart > now)) return 0
    const room = Math.max(0, Math.min(s.window, e.maxInFlight ?? Infinity) - s.inFlight)
    return e.ratePerSecond === null ? room : Math.min(1, room)
  }

  /**
   * Leases the probe that {@link check} offered, through the store, so that of all dispatchers
   * only one sends it. Losing (or a failed write) gives the reservation back and treats the
   * endpoint as paused until `until`; winning keeps it for {@link acquire}.
   */
  async leaseProbe(e: EndpointRecord, now: number, until: number): Promise<boolean> {
    const won = await this.#store.catalog.leaseProbe({ id: e.id, now, until }).catch((error: unknown) => {
      this.#emitter.emit('error', { error, phase: 'health' })
      return false
    })
    if (!won) {
      const s = this.#state(e.id)
      s.probing = false
      s.pausedUntil = { value: until, at: now }
    }
    return won
  }

  /** Gives back a probe reservation that {@link check} made but that will not be sent. */
  releaseProbe(e: EndpointRecord): void {
    this.#state(e.id).probing = false
  }

  /** Takes the slot and rate token that {@link check} allowed. */
  acquire(e: EndpointRecord, now: number): void {
    const s = this.#state(e.id)
    this.#watched.add(e.id)
    s.inFlight++
    if (e.ratePerSecond !== null) s.nextStart = Math.max(s.nextStart, now) + 1000 / e.ratePerSecond
    if (s.holds && effective(e.pausedUntil, s.pausedUntil, e.updatedAt) !== null) s.probing = true
  }

  /** Records how an acquired attempt ended and applies what the breaker concludes. */
  settled(e: EndpointRecord, outcome: AttemptOutcome, latencyMs: number): void {
    const now = this.#clock.now()
    const s = this.#state(e.id)
    s.inFlight = Math.max(0, s.inFlight - 1)
    s.latencyMs = s.latencyMs * 0.8 + latencyMs * 0.2
    const failed = outcome === 'error' || outcome === 'retry'
    // One failure among answers says little (a flaky receiver is still alive): only a second
    // one in a row halves the window, so a hanging receiver still drops to a slot or two.
    s.failStreak = failed ? s.failStreak + 1 : 0
    if (!failed) s.window = Math.min(this.#maxWindow, s.window + 1)
    else if (s.failStreak >= 2) s.window = Math.max(1, Math.floor(s.window / 2))
    const wasProbe = s.probing
    s.probing = false
    const paused = effective(e.pausedUntil, s.pausedUntil, e.updatedAt)
    const failingSince = effective(e.failingSince, s.failingSince, e.updatedAt)

    if (!failed) {
      // Successes count too: the breaker looks at the failure rate, not at failures alone.
      if (this.#o.breaker && paused === null) s.record(now, false, this.#o.breaker.windowMs)
      if (paused !== null) {
        s.opened = 0
        s.forgetOutcomes()
      }
      if (paused !== null || failingSince !== null) {
        s.pausedUntil = { value: null, at: now }
        s.failingSince = { value: null, at: now }
        this.#write(e.id, { pausedUntil: null, failingSince: null, now }, () => {
          if (paused !== null) this.#emitter.emit('endpoint.recovered', { endpointId: e.id, failingSince })
        })
      }
      return
    }

    if (failingSince === null) {
      s.failingSince = { value: now, at: now }
      this.#write(e.id, { failingSince: now, now })
    } else if (this.#o.disableAfterMs !== null && now - failingSince >= this.#o.disableAfterMs) {
      // Attempts of the same batch that end after this one read the row before: one disable, one event.
      if (s.disabledAt !== null && e.updatedAt <= s.disabledAt) return
      s.disabledAt = now
      const reason = `failing without a success since ${new Date(failingSince).toISOString()}`
      this.#write(e.id, { disable: reason, pausedUntil: null, failingSince: null, now }, () => {
        // Starts afresh (window, breaker) if it is enabled again, still knowing it was disabled.
        const fresh = new EndpointState(this.#o.initialWindow)
        fresh.disabledAt = now
        this.#states.set(e.id, fresh)
        this.#emitter.emit('endpoint.disabled', { endpointId: e.id, reason })
      })
      return
    }

    // The breaker opens only for endpoints whose policy lets it hold attempts back.
    const breaker = this.#o.breaker
    if (!breaker || !s.holds) return
    // Attempts that were already in flight when the breaker opened do not count twice.
    if (paused !== null && !wasProbe) return
    let open = wasProbe
    if (!open) {
      s.record(now, failed, breaker.windowMs)
      const total = s.recentTotal
      const failures = s.recentFailed
      // A run of failures opens it; a mix only when the rate is surely at or above the threshold,
      // so a flaky receiver that is alive (40% failing, say) is not paused by an unlucky stretch.
      open = total >= breaker.minAttempts && (failures === total || failureRateAtLeast(failures, total) >= breaker.failureRate)
    }
    if (!open) return
    const until = now + Math.min(breaker.maxPauseMs, breaker.pauseMs * 2 ** s.opened)
    s.opened++
    s.forgetOutcomes()
    s.pausedUntil = { value: until, at: now }
    const reason = wasProbe ? 'probe failed' : `${breaker.failureRate * 100}% or more of the last attempts failed`
    this.#write(e.id, { pausedUntil: until, now }, () => this.#emitter.emit('endpoint.paused', { endpointId: e.id, until, reason }))
  }

  /** Writes to the endpoint row, then announces; a failed write is reported and retried by later outcomes. */
  #write(id: string, patch: HealthPatch, then?: () => void): void {
    const p = this.#store.catalog.setEndpointHealth({ ...patch, id }).then(
      (found) => found && then?.(),
      (error) => {
        this.#states.delete(id)
        this.#emitter.emit('error', { error, phase: 'health' })
      },
    )
    this.#writes.add(p)
    void p.finally(() => this.#writes.delete(p))
  }

  /** Resolves once every health write started so far has landed (for `drain` and `stop`). */
  async flushed(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes])
  }
}
