/** Source of the current time, injectable so schedules can be tested without sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /**
   * Optional, for clocks that jump: calls `listener` each time the time is moved, so a started
   * dispatcher looks for work that has come due. Returns a function that stops the calls.
   */
  onChange?(listener: () => void): () => void
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() }

/**
 * A clock that only moves when told to. Pass it to `createOutbox({ clock })` in tests and call
 * `advance()` to jump over retry intervals.
 */
export class ManualClock implements Clock {
  #now: number
  readonly #listeners = new Set<() => void>()
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime()
  }
  now(): number {
    return this.#now
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms
    this.#changed()
  }
  /** Sets the clock to an absolute time. */
  set(time: number | Date): void {
    this.#now = typeof time === 'number' ? time : time.getTime()
    this.#changed()
  }
  /** Calls `listener` after every `advance()` and `set()` (a started dispatcher wakes this way). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }
  #changed(): void {
    for (const listener of [...this.#listeners]) listener()
  }
}
