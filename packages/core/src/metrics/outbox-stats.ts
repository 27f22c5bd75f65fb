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
  /** When the stats were read (outbox clock, epoch ms). */
  at: number
  /**
   * Age of the oldest pending work at `at`: `at - oldestPendingCreatedAt`, or null when nothing
   * is pending. The lag to alert on: it grows while deliveries are stuck even when `pending` does not.
   */
  oldestPendingAgeMs: number | null
}

/** Reads the store's stats and merges this process's counters into them. */
export async function readOutboxStats(store: Store, clock: Clock, counters: InProcessCounters): Promise<OutboxStats> {
  const at = clock.now()
  const stored = await store.housekeeping.stats({ now: at })
  const oldest = stored.oldestPendingCreatedAt
  return { ...stored, ...counters.snapshot(), at, oldestPendingAgeMs: oldest === null ? null : Math.max(0, at - oldest) }
}
