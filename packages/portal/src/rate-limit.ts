import { RateLimitedError } from '@hookbox/core'

/**
 * At most `limit` calls per key in any `windowMs` (a sliding log of call times per key, kept in
 * this process). Used for test sends, per tenant.
 */
export class RateLimiter {
  readonly #calls = new Map<string, number[]>()
  readonly #limit: number
  readonly #windowMs: number
  readonly #what: string
  constructor(what: string, limit: number, windowMs: number) {
    this.#what = what
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Records a call by `key` at `now`, or throws {@link RateLimitedError} when over the limit. */
  take(key: string, now: number): void {
    const recent = (this.#calls.get(key) ?? []).filter((t) => t > now - this.#windowMs)
    if (recent.length >= this.#limit) throw new RateLimitedError(this.#what, recent[0]! + this.#windowMs - now)
    recent.push(now)
    this.#calls.set(key, recent)
  }
}
