import type { Migration } from '@hookbox/core'

/**
 * The claim never JIT-compiles. Its cost estimate is the price of walking the whole due index,
 * which the LIMIT normally cuts short; but when the planner expects the filters to leave almost
 * nothing (every due delivery is for an endpoint in `skipEndpoints`, as when one endpoint with
 * a backlog has a full in-flight window) the limit no longer discounts it, and at 1,000,000
 * pending the estimate (26 million) passed the JIT thresholds for inlining and optimisation:
 * compiling took 1.2–2.3 s per claim on top of the 0.4–0.5 s walk (EXPLAIN ANALYZE, Postgres 15),
 * on every execution, since compiled code is not kept with the cached plan. At 10,000 pending
 * the estimate stays under them. A claim returns at most a batch, so JIT never pays here.
 */
export const claimWithoutJitMigration: Migration = {
  version: 16,
  name: 'claim without jit',
  sql: (s) => `
ALTER FUNCTION ${s}.claim_plain(bigint, integer, bigint, text, text[]) SET jit = off;
`,
}
