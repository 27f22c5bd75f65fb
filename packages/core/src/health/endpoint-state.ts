/** A value this process wrote to an endpoint row, trusted until the row changes after it. */
export interface Written<T> {
  value: T
  at: number
}

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
  /** Recent outcomes for the breaker, counted in ten slices of its window (constant work per attempt). */
  outcomes: Array<{ slice: number; total: number; failed: number }> = []
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

  /** Counts an outcome and returns the attempts and failures within the last `windowMs`. */
  record(now: number, failed: boolean, windowMs: number): { total: number; failed: number } {
    const width = windowMs / 10
    const slice = Math.floor(now / width)
    this.outcomes = this.outcomes.filter((o) => o.slice > slice - 10)
    let last = this.outcomes.at(-1)
    if (last?.slice !== slice) this.outcomes.push((last = { slice, total: 0, failed: 0 }))
    last.total++
    if (failed) last.failed++
    let total = 0
    let failures = 0
    for (const o of this.outcomes) {
      total += o.total
      failures += o.failed
    }
    return { total, failed: failures }
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
