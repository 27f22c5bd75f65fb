/**
 * A token bucket: `perMinute` tokens refill evenly, at most `burst` saved up. A caller that
 * has to wait reserves its token at once (the bucket goes into debt), so concurrent waiters
 * queue behind each other instead of all waking for the same token.
 */
export class TokenBucket {
  readonly #perMs: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #at: number

  constructor(perMinute: number, burst: number, now: () => number = () => performance.now()) {
    this.#perMs = perMinute / 60_000
    this.#burst = burst
    this.#now = now
    this.#tokens = burst
    this.#at = now()
  }

  /** Milliseconds until a token is free; 0 when one is free now. */
  waitMs(): number {
    this.#refill()
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs)
  }

  /** Takes a token, into debt if none is free (call after `waitMs` said the wait is acceptable). */
  take(): void {
    this.#refill()
    this.#tokens -= 1
  }

  /** Whether the bucket is back to full, i.e. forgetting it changes nothing. */
  get idle(): boolean {
    this.#refill()
    return this.#tokens >= this.#burst
  }

  #refill(): void {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs)
    this.#at = now
  }
}

/** The global cap and, if configured, one cap per recipient address. */
export class RateCaps {
  readonly #global: TokenBucket
  readonly #perRecipient: { perMinute: number; burst: number } | null
  readonly #byRecipient = new Map<string, TokenBucket>()
  readonly #now: () => number

  constructor(
    global: { perMinute: number; burst: number },
    perRecipient: { perMinute: number; burst: number } | null,
    now: () => number = () => performance.now(),
  ) {
    this.#now = now
    this.#global = new TokenBucket(global.perMinute, global.burst, now)
    this.#perRecipient = perRecipient
  }

  /**
   * Reserves a slot for one mail to `recipient` and resolves when it may go, or resolves
   * false at once (taking nothing) when the wait would exceed `budgetMs`.
   */
  async acquire(recipient: string, budgetMs: number, signal?: AbortSignal): Promise<boolean> {
    const own = this.#bucketFor(recipient)
    const wait = Math.max(this.#global.waitMs(), own?.waitMs() ?? 0)
    if (wait > budgetMs) return false
    this.#global.take()
    own?.take()
    if (wait > 0) await sleep(wait, signal)
    return !signal?.aborted
  }

  #bucketFor(recipient: string): TokenBucket | undefined {
    if (!this.#perRecipient) return undefined
    // Forget full buckets now and then, so many one-off recipients do not pile up.
    if (this.#byRecipient.size > 1000) for (const [k, b] of this.#byRecipient) if (b.idle) this.#byRecipient.delete(k)
    let b = this.#byRecipient.get(recipient)
    if (!b) this.#byRecipient.set(recipient, (b = new TokenBucket(this.#perRecipient.perMinute, this.#perRecipient.burst, this.#now)))
    return b
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
