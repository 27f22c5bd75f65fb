/**
 * What limits each figure when its target is not met, from profiling on the 2-core machine
 * (EXPLAIN ANALYZE of the claim and write-back statements, per-phase timing of
 * store.claim/store.complete). Shown in the summary table next to a NOT MET verdict.
 */
export const LIMITS: Record<string, string> = {
  'postgres.noop': "same SQL cost without HTTP; pg-boss's fetch is a single indexed UPDATE … RETURNING",
  'postgres.claim-complete':
    "the claim checks ordering keys, paused or disabled endpoints and disabled collections, and returns each delivery with its message, collection and endpoints as JSON; pg-boss's fetch is one UPDATE … RETURNING. Not yet tried: claiming a full batch ahead within the lease, a prepared write-back",
  'sqlite.latency.p50': 'an idle dispatcher wakes on the next tick after the commit, then expand, claim and send',
  'sqlite.latency.p99': 'event-loop stalls from synchronous SQLite writes and GC on a shared 2-core machine',
  'postgres.latency.p50':
    "a commit is seen when it lands (in wake 'coalesced' a notify() after a 2 ms quiet gap carries pg_notify), then a short batch is expanded in two round trips (an unlocked read, then one statement that marks and inserts) before sending; what remains is those round trips and the planning in JavaScript",
  'postgres.latency.p99':
    'event-loop stalls (GC, the write-back of the previous deliveries) and the shared 2-core machine; a burst of notifies faster than one per 2 ms carries one pg_notify per 50 ms, the rest found by the follow-up looks',
  'postgres.latency.beat-peers': 'see the p50/p99 rows',
  'postgres.backlog':
    "a claim skipping the backlog's endpoint (its in-flight window full) walked every pending delivery, JIT-compiled (0.4–2.8 s each at 1M) until migrations 16–17; what moves the ratio now is the shared machine (see the per-round ratios)",
  'sqlite.backlog':
    "not pinned down: store.claim and store.complete alone cost the same at 1M as at 10k pending (1.45 vs 1.32 ms per 32-row claim); suspected: page-cache misses of the dispatcher's connection on the 1M-row file (SQLite's default cache is 2 MB)",
}
