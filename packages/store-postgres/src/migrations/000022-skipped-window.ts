import type { Migration } from '@hookbox/core'
import { headOfLineClaimFunction } from './head-of-line-claim-function.js'

/**
 * The head-of-line claim (migration 18) no longer locks the deliveries of endpoints it skips
 * (issue 16, "PG head-of-line"): its first due window was handed whole to the lock step, which
 * looked each delivery up by primary key, read its page and checked its collection before the
 * skip rule dropped it, so with a stuck endpoint ahead in claim order every claim paid that for
 * a window of the stuck one's deliveries. Now the window read takes each delivery's endpoint too
 * and only those of endpoints not skipped go on (none left: no lock step). `CREATE OR REPLACE`
 * with the same settings; nothing else changes.
 */
export const skippedWindowMigration: Migration = {
  version: 22,
  name: 'skipped endpoints left out of the claim window',
  sql: (s) => headOfLineClaimFunction(s, { windowByEndpoint: true }),
}
