import type { Migration } from '@hookbox/core'
import { claimPlainFunction, claimQuery, claimSkipRules, dueQuery } from './claim-plain-function.js'
import { fruitlessSkipParts } from './000017-fruitless-skip-check.js'

/** How many due deliveries, in claim order, a claim that skips endpoints reads before it looks endpoint by endpoint. */
const WINDOW = '2 * p_limit + 32'

/** The claim's order on a select of `d`. */
const ORDER = 'ORDER BY d.next_attempt_at, d.message_seq, d.id'

/**
 * A claim that skips endpoints no longer pays for their backlog (head-of-line blocking): with
 * 1,000,000 due for a skipped endpoint ahead of one due elsewhere, the due index walk read the
 * whole backlog to reach it (Postgres every row, to see its endpoint), so one customer's stuck
 * endpoint slowed every other customer's claims. Now such a claim first takes the batch from the
 * first deliveries due ({@link WINDOW}, enough whenever the skipped ones do not crowd the
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
  sql: (s) => {
    const rules = claimSkipRules(s)
    const check = fruitlessSkipParts(s)
    // One endpoint's (or none's) first due deliveries by the skip rules, in claim order.
    const firstDue = (endpoint: string) => `SELECT d.id, d.next_attempt_at, d.message_seq FROM ${s}.deliveries d
        WHERE d.state = 'pending' AND ${endpoint} AND d.next_attempt_at <= p_now
${rules}
        ${ORDER} LIMIT p_limit`
    // Locks the first `p_limit` of `ids` that still pass the rules (rechecked on the locked row).
    // Driven by the ids, each looked up by primary key: as \`d.id = ANY (…)\` the planner took
    // the id for a qual of deliveries_due and scanned every due row (17 ms at 2,000).
    const lockFirst = (ids: string) => `ARRAY(WITH w AS MATERIALIZED (SELECT unnest(${ids}) AS id)
      SELECT d.id FROM w JOIN ${s}.deliveries d ON d.id = w.id
      WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
${rules}
      ${ORDER} LIMIT p_limit
      FOR UPDATE OF d SKIP LOCKED)`
    return `
CREATE INDEX IF NOT EXISTS deliveries_pending_endpoint_due ON ${s}.deliveries (endpoint_id, next_attempt_at, message_seq, id)
  WHERE state = 'pending';
DROP INDEX IF EXISTS ${s}.deliveries_pending_endpoint;
${claimPlainFunction(s, {
  settings: '\nSET enable_bitmapscan = off SET plan_cache_mode = force_generic_plan SET jit = off',
  declare: `${check.declare}  v_window text[];
  v_ids text[];
`,
  before: `  IF cardinality(p_skip) = 0 THEN
${claimQuery(s, dueQuery(s))}    RETURN;
  END IF;
${check.before}  v_window := ARRAY(SELECT d.id FROM ${s}.deliveries d WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
    ${ORDER} LIMIT ${WINDOW});
  v_ids := ${lockFirst('v_window')};
  IF cardinality(v_ids) < p_limit AND cardinality(v_window) = ${WINDOW} THEN
    -- Endpoint by endpoint: each seek for the next one steps over a skipped one's whole range.
    v_ids := ${lockFirst(`ARRAY(
      WITH RECURSIVE ep(id) AS (
        SELECT min(x.endpoint_id) FROM ${s}.deliveries x WHERE x.state = 'pending'
        UNION ALL
        SELECT (SELECT min(x.endpoint_id) FROM ${s}.deliveries x WHERE x.state = 'pending' AND x.endpoint_id > ep.id)
        FROM ep WHERE ep.id IS NOT NULL
      )
      SELECT w.id FROM (
        SELECT f.* FROM ep CROSS JOIN LATERAL (${firstDue('d.endpoint_id = ep.id')}) f
        WHERE ep.id IS NOT NULL AND NOT (ep.id = ANY (p_skip))
        UNION ALL
        (${firstDue('d.endpoint_id IS NULL')})
      ) w
      ORDER BY w.next_attempt_at, w.message_seq, w.id LIMIT 2 * p_limit)`)};
  END IF;
`,
  query: claimQuery(s, '    SELECT unnest(v_ids) AS id'),
})}`
  },
}
