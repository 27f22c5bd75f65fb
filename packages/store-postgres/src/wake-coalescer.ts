/**
 * Which `notify()` calls of one process carry a `pg_notify` in the `coalesced` wake mode.
 *
 * A NOTIFY wakes listeners at the host's COMMIT, the only moment a dispatcher can know the row
 * is visible; without it the dispatcher guesses (follow-up looks 1, 4 and 20 ms after notify
 * resolves). But every transaction that carries one takes Postgres's notify-queue lock at
 * commit, so a busy host carries one per `windowMs`. A host that is not busy (a notify after
 * `quietMs` without one) carries it every time: at a few hundred transactions per second the
 * lock is never contended, and each commit is seen at once. At most one carrier per `quietMs`
 * either way, since each quiet gap follows a notify.
 */
export class WakeCoalescer {
  #lastCarrier = Number.NEGATIVE_INFINITY
  #lastCall = Number.NEGATIVE_INFINITY

  constructor(
    readonly windowMs: number,
    readonly quietMs: number,
  ) {}

  /** Whether a notify at `now` (ms, monotonic) carries the wake-up; records the call. */
  carries(now: number): boolean {
    const quiet = now - this.#lastCall >= this.quietMs
    this.#lastCall = now
    if (!quiet && now - this.#lastCarrier < this.windowMs) return false
    this.#lastCarrier = now
    return true
  }
}
