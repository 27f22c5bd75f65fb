import type { Clock } from '../clock.js'
import type { Store, StoreStats } from '../store/store.js'
import type { InProcessCounters, ProcessCounters } from './in-process-counters.js'

/**
 * What `outbox.stats()` returns: the store's counts (shared by every process on the database)
 * and this process's counters since the outbox was created.
 *
 * @example
 * ```ts
 * const s = await outbox.stats()
 * if ((s.oldestPendingAgeMs ?? 0) > 5 * 60_000) alert(`webhooks are ${s.oldestPendingAgeMs} ms behind`)
 * ```
 */
export interface OutboxStats extends StoreStats, ProcessCounters {
  /**
   * The tenant the store's counts are of (null: only the platform's own rows), or undefined
   * for every tenant's. This process's counters are always the whole process's.
   */
  tenant?: string | null
  /** When the stats were read (outbox clock, epoch ms). */
  at: number
  /**
   * Age of the oldest pending work at `at`: `at - oldestPendingCreatedAt`, or null when nothing
   * is pending. The lag to alert on: it grows while deliveries are stuck even when `pending` does not.
   */
  oldestPendingAgeMs: number | null
}

/** Reads the store's stats and merges this process's counters into them. */
export async function readOutboxStats(
  store: Store,
  clock: Clock,
  counters: InProcessCounters,
  tenant?: string | null,
): Promise<OutboxStats> {
  const at = clock.now()
  const stored = await store.housekeeping.stats({ now: at, ...(tenant !== undefined && { tenant }) })
  const oldest = stored.oldestPendingCreatedAt
  return {
    ...stored,
    ...counters.snapshot(),
    ...(tenant !== undefined && { tenant }),
    at,
    oldestPendingAgeMs: oldest === null ? null : Math.max(0, at - oldest),
  }
}
