/** Source of the current time, injectable so schedules can be tested without sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() }

/**
 * A clock that only moves when told to. Pass it to `createOutbox({ clock })` in tests and call
 * `advance()` to jump over retry intervals.
 */
export class ManualClock implements Clock {
  #now: number
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime()
  }
  now(): number {
    return this.#now
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms
  }
  /** Sets the clock to an absolute time. */
  set(time: number | Date): void {
    this.#now = typeof time === 'number' ? time : time.getTime()
  }
}
