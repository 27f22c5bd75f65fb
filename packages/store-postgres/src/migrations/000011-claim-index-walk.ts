import type { Migration } from '@hookbox/core'

/**
 * The claim walks the due index in claim order and stops at its limit, whatever the table's
 * statistics say. On a table analyzed while the queue was short (or never: a fresh one), the
 * planner estimated a handful of due rows and chose a bitmap scan of EVERY due row, each
 * through the skip rules' subqueries, then a sort, then the limit: a claim of 18 rows cost
 * 7 ms at a backlog of 3,000 and grew with the backlog (16 ms at 8,000), so small claims (the
 * default concurrency) paid for the whole backlog each time. In claim order it reads about as
 * many rows as it leases (2 ms). Disabling bitmap scans for the function leaves the planner the
 * ordered index scan (or a sequential scan, which it never prices lower here) for `due`; the
 * other lookups are by primary key either way.
 */
export const claimIndexWalkMigration: Migration = {
  version: 11,
  name: 'claim index walk',
  sql: (s) => `
ALTER FUNCTION ${s}.claim_plain(bigint, integer, bigint, text, text[]) SET enable_bitmapscan = off;
`,
}
