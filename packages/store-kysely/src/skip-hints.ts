/** A place in claim order: next attempt, message sequence, id (the due index's columns). */
export interface ClaimPosition {
  readonly nextAttemptAt: number
  readonly messageSeq: number
  readonly id: string
}

/**
 * How long a hint is trusted, in the claim's clock: only a write can put a due delivery of an
 * endpoint the claim takes ahead of the hint (one that comes due later sorts after it), such
 * as a message expanded late or a delivery replayed; it waits this long at most.
 */
export const HINT_MS = 1_000
/** How many claims trust a hint at most (the bound when the claim's clock stands still). */
export const HINT_CLAIMS = 1_000
/** How many skip sets are remembered (the oldest is forgotten first). */
const HINT_SETS = 64

interface Hint {
  readonly at: ClaimPosition
  readonly since: number
  uses: number
}

/**
 * This store's hints, per set of skipped endpoints, of the first pending delivery due outside
 * them in claim order: the claims that skip the same endpoints read the due index from there
 * instead of looking around every skipped endpoint's backlog (SQLite walks each of its blocks,
 * MySQL/MariaDB sort every other endpoint's due deliveries). A hint only says where
 * to look first; it is refreshed by a walk at least every {@link HINT_MS} of the claims' clock
 * and every {@link HINT_CLAIMS} claims, and another process's claims never see it.
 */
export class SkipHints {
  readonly #hints = new Map<string, Hint>()

  /** The hint for claims skipping `skip` at `now`, if one is still trusted (each call is a use). */
  get(skip: readonly string[], now: number): ClaimPosition | undefined {
    const key = skipKey(skip)
    const hint = this.#hints.get(key)
    if (!hint) return undefined
    if (now < hint.since || now - hint.since >= HINT_MS || ++hint.uses > HINT_CLAIMS) {
      this.#hints.delete(key)
      return undefined
    }
    return hint.at
  }

  /** Remembers `at` for claims skipping `skip`, found by a walk at `now`; `undefined` forgets it. */
  set(skip: readonly string[], now: number, at: ClaimPosition | undefined): void {
    const key = skipKey(skip)
    this.#hints.delete(key)
    if (!at) return
    if (this.#hints.size >= HINT_SETS) this.#hints.delete(this.#hints.keys().next().value!)
    this.#hints.set(key, { at, since: now, uses: 0 })
  }
}

/** The same key for the same endpoints in any order. */
function skipKey(skip: readonly string[]): string {
  return JSON.stringify([...new Set(skip)].sort())
}
