/** A value this process wrote to an endpoint row, trusted until the row changes after it. */
export interface Written<T> {
  value: T
  at: number
}

/** What one dispatcher process knows of one endpoint between claims. */
export class EndpointState {
  inFlight = 0
  /** Attempts allowed in flight: widened by answers, halved by failures (AIMD). */
  window: number
  /** Smoothed attempt latency (ms), to space out deliveries held back by the window. */
  latencyMs = 10
  /** Rate limit: earliest start of the next attempt (a GCRA-style schedule). */
  nextStart = 0
  /** Deliveries held back by the rate are spread out after this time, one interval apart. */
  rateHorizon = 0
  /** Likewise for those held back by the window, spaced by the latency. */
  slotHorizon = 0
  /** Recent outcomes for the breaker: time and whether it failed. */
  outcomes: Array<{ at: number; failed: boolean }> = []
  /** Times the breaker opened in a row without a successful probe (doubles the pause). */
  opened = 0
  /** A half-open probe is in flight. */
  probing = false
  pausedUntil: Written<number | null> | null = null
  failingSince: Written<number | null> | null = null
  disabled = false
  /** The endpoint's own limits, as last seen. */
  maxInFlight: number | null = null
  ratePerSecond: number | null = null

  constructor(initialWindow: number) {
    this.window = initialWindow
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
