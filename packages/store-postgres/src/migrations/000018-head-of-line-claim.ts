import type { Migration } from '@hookbox/core'
import { headOfLineClaimFunction } from './head-of-line-claim-function.js'

/**
 * A claim that skips endpoints no longer pays for their backlog (head-of-line blocking): with
 * 1,000,000 due for a skipped endpoint ahead of one due elsewhere, the due index walk read the
 * whole backlog to reach it (Postgres every row, to see its endpoint), so one customer's stuck
 * endpoint slowed every other customer's claims. Now such a claim first takes the batch from the
 * first deliveries due (2·limit + 32, enough whenever the skipped ones do not crowd the
 * front); if those are not enough and more are due, it reads each other endpoint's first due
 * deliveries in claim order through `deliveries_pending_endpoint_due` (one seek per endpoint
 * with pending deliveries, stepping over a skipped one's range in one seek), and those of no
 * endpoint (`majority`), then takes the batch in claim order from them. Either pick keeps every
 * skip rule and locks `FOR UPDATE SKIP LOCKED`, rules rechecked on the locked rows; a claim with
 * nothing to skip runs migration 10's statement unchanged. The new index, endpoint then claim
 * order, also serves migration 17's check, so it replaces that one.
 */
export const headOfLineClaimMigration: Migration = {
  version: 18,
  name: 'head of line claim',
  sql: (s) => `
CREATE INDEX IF NOT EXISTS deliveries_pending_endpoint_due ON ${s}.deliveries (endpoint_id, next_attempt_at, message_seq, id)
  WHERE state = 'pending';
DROP INDEX IF EXISTS ${s}.deliveries_pending_endpoint;
${headOfLineClaimFunction(s)}`,
}
