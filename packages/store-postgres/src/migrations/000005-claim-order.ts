import type { Migration } from '@hookbox/core'

/**
 * The claim in the form every store shares: due deliveries ordered by next attempt, message
 * sequence, then id (the index follows), with the endpoint clause written as in the other stores.
 * Each delivery also gets its end (its policy's, from the start of its schedule), and the claim
 * takes one held back by a disabled collection or a disabled or paused endpoint once that end has
 * come, so the dispatcher ends it. Rows written before stay null (never taken early): core falls
 * back to the policy's end for them. Same arguments and result as migration 4, so callers do not
 * change.
 */
export const claimOrderMigration: Migration = {
  version: 5,
  name: 'claim order and delivery deadline',
  sql: (s) => `
DROP INDEX ${s}.deliveries_due;
CREATE INDEX deliveries_due ON ${s}.deliveries (next_attempt_at, message_seq, id) WHERE state = 'pending';
ALTER TABLE ${s}.deliveries ADD COLUMN IF NOT EXISTS deadline bigint;
CREATE OR REPLACE FUNCTION ${s}.claim_deliveries(p_now bigint, p_limit integer, p_lease_until bigint, p_owner text, p_skip text[])
RETURNS SETOF jsonb LANGUAGE plpgsql AS $claim$
BEGIN
  RETURN QUERY
  WITH due AS (
    SELECT d.id FROM ${s}.deliveries d
    WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
      AND (d.lease_until IS NULL OR d.lease_until <= p_now)
      AND EXISTS (SELECT 1 FROM ${s}.collections c WHERE c.name = d.collection AND (c.enabled OR d.deadline <= p_now))
      AND (d.endpoint_id IS NULL OR NOT (d.endpoint_id = ANY (p_skip)))
      AND (d.endpoint_id IS NULL OR d.deadline <= p_now OR NOT EXISTS (
        SELECT 1 FROM ${s}.endpoints e WHERE e.id = d.endpoint_id AND (NOT e.enabled OR e.paused_until > p_now)))
      AND (d.ordering_key IS NULL OR (
        NOT EXISTS (
          SELECT 1 FROM ${s}.deliveries p
          WHERE p.state = 'pending' AND p.ordering_key = d.ordering_key AND p.collection = d.collection
            AND p.endpoint_id IS NOT DISTINCT FROM d.endpoint_id AND p.message_seq < d.message_seq)
        AND NOT EXISTS (
          SELECT 1 FROM ${s}.messages m
          WHERE NOT m.expanded AND m.ordering_key = d.ordering_key AND m.seq < d.message_seq)))
    ORDER BY d.next_attempt_at, d.message_seq, d.id
    LIMIT p_limit
    FOR UPDATE OF d SKIP LOCKED
  ),
  claimed AS (
    UPDATE ${s}.deliveries d
    SET lease_owner = p_owner, lease_until = p_lease_until, lease_token = gen_random_uuid()::text
    WHERE d.id = ANY (ARRAY(SELECT id FROM due))
    RETURNING d.*
  )
  SELECT to_jsonb(c) || jsonb_build_object(
      'message_row', (SELECT to_jsonb(m) FROM ${s}.messages m WHERE m.id = c.message_id),
      'collection_row', (SELECT to_jsonb(col) FROM ${s}.collections col WHERE col.name = c.collection),
      'endpoint_rows', (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb) FROM ${s}.endpoints e
        WHERE e.id = ANY (ARRAY(SELECT jsonb_array_elements_text(c.targets)))))
  FROM claimed c
  ORDER BY c.next_attempt_at, c.message_seq, c.id;
END
$claim$;
`,
}
