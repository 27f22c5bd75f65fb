import type { Clock } from './clock.js'
import type { PurgeCounts, Store } from './store/store.js'

/** How long final records are kept and how they are cleaned. */
export interface RetentionOptions {
  /** Keep delivered, failed and dead deliveries (and their messages and attempts) this long after they ended (default 7 days). */
  keepFinishedMs?: number
  /** How often the running dispatcher cleans (default 1 hour; 0 = never, call `outbox.purge()` yourself). */
  everyMs?: number
  /** Rows deleted per statement, so a clean-up never holds long locks (default 1000). */
  batchSize?: number
}

/** Defaults of {@link RetentionOptions}. */
export const defaultRetention: Required<RetentionOptions> = {
  keepFinishedMs: 7 * 24 * 60 * 60 * 1000,
  everyMs: 60 * 60 * 1000,
  batchSize: 1000,
}

/** Deletes expired records in batches until none are left (idempotency keys outlive no window); returns the totals. */
export async function purgeExpired(
  store: Store,
  clock: Clock,
  options: Required<RetentionOptions>,
  idempotencyWindowMs: number,
): Promise<PurgeCounts> {
  const total: PurgeCounts = { messages: 0, deliveries: 0, attempts: 0, results: 0 }
  for (;;) {
    const now = clock.now()
    const n = await store.housekeeping.purge({
      finishedBefore: now - options.keepFinishedMs,
      now,
      limit: options.batchSize,
      keepIdempotencySince: now - idempotencyWindowMs,
    })
    for (const k of Object.keys(total) as Array<keyof PurgeCounts>) total[k] += n[k]
    if (n.messages < options.batchSize && n.deliveries < options.batchSize && n.results < options.batchSize) return total
    // Yield between batches so a large backlog does not starve the dispatcher.
    await new Promise((r) => setImmediate(r))
  }
}
