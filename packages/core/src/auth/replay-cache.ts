/** Remembers token ids (`jti`) until they expire, so a captured token is accepted once. */
export interface ReplayCache {
  /** Records `jti`; false when it was already seen and has not expired. */
  firstUse(jti: string, expiresAtSec: number, nowSec: number): boolean | Promise<boolean>
}

/**
 * An in-memory {@link ReplayCache} for a single receiver process. With several receiver
 * instances, implement the interface over a shared store (e.g. Redis `SET NX EX`).
 */
export function createReplayCache(options: { maxEntries?: number } = {}): ReplayCache {
  const max = options.maxEntries ?? 100_000
  const seen = new Map<string, number>()
  return {
    firstUse(jti, expiresAtSec, nowSec) {
      const known = seen.get(jti)
      if (known !== undefined && known >= nowSec) return false
      seen.delete(jti)
      seen.set(jti, expiresAtSec)
      // Oldest first: drop expired entries, and the oldest ones beyond the cap.
      for (const [k, exp] of seen) {
        if (exp >= nowSec && seen.size <= max) break
        seen.delete(k)
      }
      return true
    },
  }
}
