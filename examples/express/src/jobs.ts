/**
 * Work that runs after the HTTP response is sent (FrankieOne's `X-Frankie-Background: 1`,
 * Attestr's async APIs). `idle()` lets tests and shutdown wait for it.
 */
export class BackgroundJobs {
  readonly #pending = new Set<Promise<void>>()
  readonly #onError: (error: unknown) => void

  constructor(onError: (error: unknown) => void = (error) => console.error('background job failed', error)) {
    this.#onError = onError
  }

  /** Starts `work` on a later tick, so the caller's response goes out first. */
  run(work: () => Promise<void>): void {
    const p: Promise<void> = new Promise<void>((r) => setImmediate(r))
      .then(work)
      .catch(this.#onError)
      .finally(() => this.#pending.delete(p))
    this.#pending.add(p)
  }

  /** Resolves once no job is running (including jobs started by jobs). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }
}
