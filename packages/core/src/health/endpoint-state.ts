/** A value this process wrote to an endpoint row, trusted until the row changes after it. */
export interface Written<T> {
  value: T
  at: number
}

/** Slices of the breaker's window. */
const SLICES = 10

/** What one dispatcher process knows of one endpoint between claims. */
export class EndpointState {
  inFlight = 0
  /** Attempts allowed in flight: widened by answers, halved by repeated failures (AIMD). */
  window: number
  /** Failures in a row (the window halves from the second one). */
  failStreak = 0
  /** The endpoint's policy lets the breaker hold its attempts back (as last seen). */
  holds = false
  /** Smoothed attempt latency (ms), to space out deliveries held back by the window. */
  latencyMs = 10
  /** Rate limit: earliest start of the next attempt (a GCRA-style schedule). */
  nextStart = 0
  /** Deliveries held back by the rate are spread out after this time, one interval apart. */
  rateHorizon = 0
  /** Likewise for those held back by the window, spaced by the latency. */
  slotHorizon = 0
  /**
   * Recent outcomes for the breaker, counted in ten slices of its window (constant work per
   * attempt): slice `n` lives at `n % 10`, counted in place (no array or object per attempt).
   */
  readonly #slices = new Float64Array(SLICES).fill(-1)
  readonly #totals = new Uint32Array(SLICES)
  readonly #failures = new Uint32Array(SLICES)
  /** Attempts and failures in the breaker's window, as of the last {@link record}. */
  recentTotal = 0
  recentFailed = 0
  /** Times the breaker opened in a row without a successful probe (doubles the pause). */
  opened = 0
  /** A half-open probe is in flight. */
  probing = false
  pausedUntil: Written<number | null> | null = null
  failingSince: Written<number | null> | null = null
  /** When this process disabled the endpoint for failing too long (rows read before then are stale). */
  disabledAt: number | null = null
  /** The endpoint's own limits, as last seen. */
  maxInFlight: number | null = null
  ratePerSecond: number | null = null

  constructor(initialWindow: number) {
    this.window = initialWindow
  }

  /** Counts an outcome; {@link recentTotal} and {@link recentFailed} then hold the last `windowMs`'s. */
  record(now: number, failed: boolean, windowMs: number): void {
    const slice = Math.floor(now / (windowMs / SLICES))
    const at = slice % SLICES
    if (this.#slices[at] !== slice) {
      this.#slices[at] = slice
      this.#totals[at] = 0
      this.#failures[at] = 0
    }
    this.#totals[at]!++
    if (failed) this.#failures[at]!++
    let total = 0
    let failures = 0
    for (let i = 0; i < SLICES; i++)
      if (this.#slices[i]! > slice - SLICES) {
        total += this.#totals[i]!
        failures += this.#failures[i]!
      }
    this.recentTotal = total
    this.recentFailed = failures
  }

  /** Forgets the breaker's recent outcomes (it opened, or a probe succeeded). */
  forgetOutcomes(): void {
    this.#slices.fill(-1)
  }

  /** The next start time the rate allows after those already handed out. */
  spreadRate(base: number, interval: number): number {
    const at = Math.max(this.rateHorizon, base)
    this.rateHorizon = at + interval
    return Math.ceil(at)
  }

  /**
   * When a slot is likely free again. Capped a few seconds ahead: a hung receiver's backlog
   * would otherwise be pushed far into the future and linger after it recovers.
   */
  spreadSlots(now: number, step: number): number {
    this.slotHorizon = Math.min(Math.max(this.slotHorizon, now) + step, now + 5_000)
    return Math.ceil(this.slotHorizon)
  }
}

/** The row's value, unless this process wrote one since the row was read. */
export function effective<T>(fromRow: T, written: Written<T> | null, rowUpdatedAt: number): T {
  return written && written.at >= rowUpdatedAt ? written.value : fromRow
}
