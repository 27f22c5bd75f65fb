/** How many deferral due times {@link ClaimPacing} keeps. */
const MAX_DUE = 1024

/**
 * When the dispatcher's loop claims again, from what its claims deferred.
 *
 * A `majority` delivery has no single endpoint, so the claim cannot skip it the way it skips a
 * blocked endpoint's `each` deliveries. With in-flight windows of 2 at start, each claim of 32
 * sent 2 and deferred 30, claim after claim (3,000 events to 3 endpoints: 35,000 deferrals, or
 * 400–900 with this wait). So after a claim deferred a majority delivery for a window that is
 * still widening, the next claim waits until those endpoints have room, the deferral is due
 * (about one latency), an attempt to another endpoint ends or new work arrives: work for other
 * endpoints is not held up for them longer than that.
 *
 * It also knows when deferred deliveries come due, so the loop wakes then instead of at the poll.
 */
export class ClaimPacing {
  #widening: { endpoints: Set<string>; until: number } | null = null
  /** Endpoints whose attempts ended while a claim ran, or null outside a claim. */
  #settledDuringClaim: Set<string> | null = null
  #deferredDue: number[] = []

  /**
   * A claimed delivery was put back until `until`; `widening` are the endpoints whose widening
   * windows held it back, when the claim could not have skipped it (a `majority` delivery).
   */
  deferred(until: number, widening: readonly string[]): void {
    this.#remember(until)
    if (widening.length === 0) return
    const w = (this.#widening ??= { endpoints: new Set(), until })
    w.until = Math.min(w.until, until)
    for (const id of widening) w.endpoints.add(id)
  }

  /** An attempt to `endpointId` ended. */
  settled(endpointId: string): void {
    this.#settledDuringClaim?.add(endpointId)
    if (this.#widening && !this.#widening.endpoints.has(endpointId)) this.#widening = null
  }

  /** New work arrived (notify, config change, poll): the claim looks at once. */
  woken(): void {
    this.#widening = null
  }

  /** Called as a claim starts. */
  claimStarted(): void {
    this.#settledDuringClaim = new Set()
  }

  /** Called once the claim's deliveries were admitted: an attempt elsewhere that ended meanwhile counts as one ending later. */
  claimAdmitted(): void {
    const settled = this.#settledDuringClaim
    this.#settledDuringClaim = null
    const w = this.#widening
    if (w && settled && [...settled].some((id) => !w.endpoints.has(id))) this.#widening = null
  }

  /** Whether the next claim should wait; `blocked` lists the endpoints without room at `now`. */
  waits(now: number, blocked: (now: number) => string[]): boolean {
    const w = this.#widening
    if (!w) return false
    if (now < w.until && blocked(now).some((id) => w.endpoints.has(id))) return true
    this.#widening = null
    return false
  }

  /**
   * Keeps at most {@link MAX_DUE} due times, the earliest: only `nextDue` prunes the past ones,
   * and a loop that stays full never asks. One forgotten is found by the poll, as before.
   */
  #remember(until: number): void {
    const due = this.#deferredDue
    if (due.length < MAX_DUE) {
      due.push(until)
      return
    }
    let latest = 0
    for (let i = 1; i < due.length; i++) if (due[i]! > due[latest]!) latest = i
    if (until < due[latest]!) due[latest] = until
  }

  /** The earliest time a deferred delivery comes due after `now`, if any. */
  nextDue(now: number): number | undefined {
    let next = Infinity
    const ahead: number[] = []
    for (const t of this.#deferredDue)
      if (t > now) {
        ahead.push(t)
        next = Math.min(next, t)
      }
    this.#deferredDue = ahead
    return Number.isFinite(next) ? next : undefined
  }
}
