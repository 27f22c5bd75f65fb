import { fruitlessSkipParts } from './000017-fruitless-skip-check.js'
import { claimPlainFunction, claimQuery, claimSkipRules, dueQuery } from './claim-plain-function.js'

/** How many due deliveries, in claim order, a claim that skips endpoints reads before it looks endpoint by endpoint. */
const WINDOW = '2 * p_limit + 32'

/** The claim's order on a select of `d`. */
const ORDER = 'ORDER BY d.next_attempt_at, d.message_seq, d.id'

/** Options of {@link headOfLineClaimFunction}. */
export interface HeadOfLineClaimOptions {
  /**
   * The window read also takes each delivery's endpoint, and only those of endpoints the claim
   * does not skip go on to be locked (none: no lock step); migration 22. Without it, migration
   * 18's function, unchanged.
   */
  windowByEndpoint?: boolean
}

/**
 * `CREATE OR REPLACE FUNCTION … claim_plain` in schema `s` as the head-of-line claim (migration
 * 18, see there): a claim that skips endpoints takes the batch from the first due deliveries,
 * else endpoint by endpoint. Without options it is migration 18's SQL byte for byte, since an
 * edit would change what migration 18 creates on a fresh database.
 */
export function headOfLineClaimFunction(s: string, o: HeadOfLineClaimOptions = {}): string {
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
  const windowSql = o.windowByEndpoint ? windowByEndpoint(s, lockFirst('v_window')) : windowOfIds(s, lockFirst('v_window'))
  return claimPlainFunction(s, {
    settings: '\nSET enable_bitmapscan = off SET plan_cache_mode = force_generic_plan SET jit = off',
    declare: `${check.declare}  v_window text[];
  v_ids text[];
${o.windowByEndpoint ? '  v_read bigint;\n' : ''}`,
    before: `  IF cardinality(p_skip) = 0 THEN
${claimQuery(s, dueQuery(s))}    RETURN;
  END IF;
${check.before}${windowSql.sql}
  IF cardinality(v_ids) < p_limit AND ${windowSql.full} THEN
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
  })
}

/** The window's statements, and the condition that it was full (more may be due past it). */
interface WindowSql {
  sql: string
  full: string
}

/** Migration 18's window: the first due ids, all of them locked by the rules. */
function windowOfIds(s: string, lock: string): WindowSql {
  return {
    sql: `  v_window := ARRAY(SELECT d.id FROM ${s}.deliveries d WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
    ${ORDER} LIMIT ${WINDOW});
  v_ids := ${lock};`,
    full: `cardinality(v_window) = ${WINDOW}`,
  }
}

/**
 * Migration 22's window: the first due deliveries with their endpoints, of which only those of
 * endpoints not skipped are locked. The skip rule would drop the others after a primary-key
 * lookup, a heap page and the collection's check each (2·limit + 32 of them when a stuck
 * endpoint fills the window). An endpoint never changes, so the lock step rechecks nothing less.
 */
function windowByEndpoint(s: string, lock: string): WindowSql {
  return {
    sql: `  SELECT coalesce(array_agg(w.id) FILTER (WHERE w.endpoint_id IS NULL OR NOT (w.endpoint_id = ANY (p_skip))), '{}'), count(*)
    INTO v_window, v_read
    FROM (SELECT d.id, d.endpoint_id FROM ${s}.deliveries d WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
      ${ORDER} LIMIT ${WINDOW}) w;
  v_ids := '{}';
  IF cardinality(v_window) > 0 THEN
    v_ids := ${lock};
  END IF;`,
    full: `v_read = ${WINDOW}`,
  }
}
