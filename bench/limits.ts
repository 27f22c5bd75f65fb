/**
 * What limits each figure when its target is not met, from profiling on the 2-core machine
 * (EXPLAIN ANALYZE of the claim and write-back statements, per-phase timing of
 * store.claim/store.complete). Shown in the summary table next to a NOT MET verdict.
 */
export const LIMITS: Record<string, string> = {
  'postgres.throughput':
    'claim statement (~200 µs per claimed row: the `claimed` UPDATE and the messages join are hash joins over sequential scans until the tables are large; every lease write updates all 6 deliveries indexes) + Postgres, receiver and dispatcher sharing 2 cores',
  'postgres.noop': 'same claim statement cost; per delivery ~2 round trips of SQL work on one 2-core box (pg-boss\'s fetch is a single indexed UPDATE … RETURNING)',
  'postgres.claim-complete': 'claim ≈ 2/3 of the time (see proposals: index-driven claimed UPDATE, LATERAL message fetch, fillfactor for HOT lease updates)',
  'sqlite.throughput': 'one event loop does claim, HTTP and synchronous SQLite write-back; the raw baseline does only HTTP',
  'sqlite.latency.p50': 'dispatcher wake-up path: 2 ms wake coalescing + expand pass + claim pass before the send',
  'sqlite.latency.p99': 'event-loop stalls from synchronous SQLite writes and GC on a shared 2-core machine',
  'postgres.latency.p50': "expand and claim are separate round trips after the wake; with wake 'coalesced' a commit riding along waits for the 20 ms follow-up wake",
  'postgres.latency.p99': "coalesced wake: commits without their own pg_notify wait for the follow-up wake (20 ms in-process, 2×coalesceMs via LISTEN)",
  'postgres.latency.beat-peers': 'see the p50/p99 rows',
  'postgres.backlog': 'see the backlog section',
  'sqlite.backlog': 'see the backlog section',
}
