/** The delivery columns the claim returns, in table order (the function's result lists them again). */
const DELIVERY = `tenant text, id text, message_id text, message_seq bigint, request_id text, collection text, failure_mode text,
  endpoint_id text, targets jsonb, progress jsonb, state text, attempts integer, next_attempt_at bigint, window_start bigint,
  deadline bigint, last_error text, ordering_key text, created_at bigint, updated_at bigint, completed_at bigint,
  lease_owner text, lease_until bigint, lease_token text`

const DELIVERY_COLUMNS = DELIVERY.split(',').map((c) => `c.${c.trim().split(' ')[0]!}`)

/** What a later version of `claim_plain` adds around the claim of migration 10. */
export interface ClaimPlainParts {
  /** Function settings (` SET name = value`…), after `LANGUAGE plpgsql`. */
  settings?: string
  /** A `DECLARE` block. */
  declare?: string
  /** Statements run before the claim (they may `RETURN` early). */
  before?: string
  /** What replaces the claim's `RETURN QUERY` (see {@link claimQuery}). */
  query?: string
}

/**
 * `CREATE OR REPLACE FUNCTION … claim_plain` in schema `s`: the claim of migration 10 (see
 * `queries/claim.ts`), with `parts` added. Without parts it is migration 10's SQL, unchanged:
 * a later claim changes it only through parts (or a new builder), since an edit here would
 * change what migration 10 creates on a fresh database.
 */
export function claimPlainFunction(s: string, o: ClaimPlainParts = {}): string {
  return `
CREATE OR REPLACE FUNCTION ${s}.claim_plain(p_now bigint, p_limit integer, p_lease_until bigint, p_owner text, p_skip text[])
RETURNS TABLE (${DELIVERY},
  m_type text, m_payload text, m_entity_id text, m_idempotency_key text, m_created_at bigint,
  e_id text, e_paused_until bigint, e_failing_since bigint, e_updated_at bigint,
  h_ids text[], h_paused_until bigint[], h_failing_since bigint[], h_updated_at bigint[],
  config_version bigint)
LANGUAGE plpgsql${o.settings ?? ''} AS $claim$
#variable_conflict use_column
${o.declare ?? ''}BEGIN
${o.before ?? ''}${o.query ?? claimQuery(s, dueQuery(s))}END
$claim$;
`
}

/**
 * The skip rules of migration 10's claim, as `AND` clauses on the delivery `d` (a due pending
 * row): its lease, collection, tenant, skipped, held or paused endpoint, and ordering key.
 */
export function claimSkipRules(s: string): string {
  return `      AND (d.lease_until IS NULL OR d.lease_until <= p_now)
      AND EXISTS (SELECT 1 FROM ${s}.collections c WHERE c.name = d.collection AND (c.enabled OR d.deadline <= p_now))
      AND (d.tenant = '' OR d.deadline <= p_now OR NOT EXISTS (
        SELECT 1 FROM ${s}.tenants t WHERE t.tenant = d.tenant AND NOT t.enabled))
      AND (d.endpoint_id IS NULL OR NOT (d.endpoint_id = ANY (p_skip)))
      AND (d.endpoint_id IS NULL OR d.deadline <= p_now OR NOT EXISTS (
        SELECT 1 FROM ${s}.endpoints e WHERE e.id = d.endpoint_id AND (NOT e.enabled OR e.paused_until > p_now)))
      AND (d.ordering_key IS NULL OR (
        NOT EXISTS (
          SELECT 1 FROM ${s}.deliveries p
          WHERE p.state = 'pending' AND p.ordering_key = d.ordering_key AND p.tenant = d.tenant AND p.collection = d.collection
            AND p.endpoint_id IS NOT DISTINCT FROM d.endpoint_id AND p.message_seq < d.message_seq)
        AND NOT EXISTS (
          SELECT 1 FROM ${s}.messages m
          WHERE NOT m.expanded AND m.ordering_key = d.ordering_key AND m.tenant = d.tenant AND m.seq < d.message_seq)))`
}

/** Migration 10's pick: the first `p_limit` due deliveries by the skip rules, in claim order, locked. */
export function dueQuery(s: string): string {
  return `    SELECT d.id FROM ${s}.deliveries d
    WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
${claimSkipRules(s)}
    ORDER BY d.next_attempt_at, d.message_seq, d.id
    LIMIT p_limit
    FOR UPDATE OF d SKIP LOCKED`
}

/**
 * The claim's `RETURN QUERY`: leases the ids that `due` (a select of `id`s) picks, and returns
 * each with its message, the breaker's columns of its targets and the config version.
 */
export function claimQuery(s: string, due: string): string {
  return `  RETURN QUERY
  WITH due AS (
${due}
  ),
  claimed AS (
    UPDATE ${s}.deliveries d
    SET lease_owner = p_owner, lease_until = p_lease_until, lease_token = gen_random_uuid()::text
    WHERE d.id = ANY (ARRAY(SELECT id FROM due))
    RETURNING d.*
  )
  SELECT ${DELIVERY_COLUMNS.join(', ')},
    m.type, m.payload, m.entity_id, m.idempotency_key, m.created_at,
    e.id, e.paused_until, e.failing_since, e.updated_at,
    h.ids, h.paused_until, h.failing_since, h.updated_at,
    (SELECT v.version FROM ${s}.config_version v)
  FROM claimed c
  -- Per row by primary key (OFFSET 0 keeps each subquery from being flattened into a join that
  -- the planner, blind to how few rows were claimed, might run as a hash join over the table).
  CROSS JOIN LATERAL (SELECT m.type, m.payload, m.entity_id, m.idempotency_key, m.created_at
    FROM ${s}.messages m WHERE m.id = c.message_id OFFSET 0) m
  LEFT JOIN LATERAL (SELECT e.id, e.paused_until, e.failing_since, e.updated_at
    FROM ${s}.endpoints e WHERE e.id = c.endpoint_id OFFSET 0) e ON true
  LEFT JOIN LATERAL (
    SELECT array_agg(x.id) AS ids, array_agg(x.paused_until) AS paused_until, array_agg(x.failing_since) AS failing_since,
      array_agg(x.updated_at) AS updated_at
    FROM ${s}.endpoints x WHERE c.endpoint_id IS NULL AND x.id = ANY (ARRAY(SELECT jsonb_array_elements_text(c.targets)))
  ) h ON true
  ORDER BY c.next_attempt_at, c.message_seq, c.id;
`
}
