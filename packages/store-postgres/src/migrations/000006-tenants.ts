import type { Migration } from '@hookbox/core'

/**
 * Tenants: messages, endpoints, deliveries and attempts carry their tenant, `''` for none (so
 * every existing row is the platform's own, the columns are plain NOT NULL equality, and adding
 * them with a constant default rewrites no table). Expansion reads endpoints by (collection,
 * tenant); request ids, ordering keys, idempotency keys and results are scoped per tenant (the
 * key and result tables get the tenant in their primary key); `tenants` keeps disable/enable.
 * The claim function learns the tenant clauses (same arguments), and says whether the
 * delivery's tenant is enabled.
 */
export const tenantsMigration: Migration = {
  version: 6,
  name: 'tenants',
  sql: (s) => `
ALTER TABLE ${s}.messages ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT '';
ALTER TABLE ${s}.endpoints ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT '';
ALTER TABLE ${s}.deliveries ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT '';
ALTER TABLE ${s}.attempts ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT '';
ALTER TABLE ${s}.idempotency_keys ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT '';
ALTER TABLE ${s}.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (tenant, key);
ALTER TABLE ${s}.results ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT '';
ALTER TABLE ${s}.results DROP CONSTRAINT results_pkey, ADD PRIMARY KEY (tenant, request_id);

DROP INDEX ${s}.endpoints_collection;
CREATE INDEX endpoints_routing ON ${s}.endpoints (collection, tenant);
CREATE INDEX endpoints_tenant ON ${s}.endpoints (tenant, id);
DROP INDEX ${s}.deliveries_request_id;
CREATE INDEX deliveries_request_id ON ${s}.deliveries (request_id, tenant);
CREATE INDEX deliveries_tenant ON ${s}.deliveries (tenant, id);
DROP INDEX ${s}.deliveries_ordering;
CREATE INDEX deliveries_ordering ON ${s}.deliveries (ordering_key, tenant, collection, message_seq)
  WHERE state = 'pending' AND ordering_key IS NOT NULL;
DROP INDEX ${s}.messages_unexpanded_ordering;
CREATE INDEX messages_unexpanded_ordering ON ${s}.messages (ordering_key, tenant, seq) WHERE NOT expanded AND ordering_key IS NOT NULL;
CREATE INDEX messages_tenant ON ${s}.messages (tenant, seq);
CREATE INDEX attempts_tenant ON ${s}.attempts (tenant);

CREATE TABLE ${s}.tenants (
  tenant text PRIMARY KEY,
  enabled boolean NOT NULL,
  disabled_reason text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE OR REPLACE FUNCTION ${s}.claim_deliveries(p_now bigint, p_limit integer, p_lease_until bigint, p_owner text, p_skip text[])
RETURNS SETOF jsonb LANGUAGE plpgsql AS $claim$
BEGIN
  RETURN QUERY
  WITH due AS (
    SELECT d.id FROM ${s}.deliveries d
    WHERE d.state = 'pending' AND d.next_attempt_at <= p_now
      AND (d.lease_until IS NULL OR d.lease_until <= p_now)
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
          WHERE NOT m.expanded AND m.ordering_key = d.ordering_key AND m.tenant = d.tenant AND m.seq < d.message_seq)))
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
      'tenant_enabled', NOT EXISTS (SELECT 1 FROM ${s}.tenants t WHERE t.tenant = c.tenant AND NOT t.enabled),
      'endpoint_rows', (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb) FROM ${s}.endpoints e
        WHERE e.id = ANY (ARRAY(SELECT jsonb_array_elements_text(c.targets)))))
  FROM claimed c
  ORDER BY c.next_attempt_at, c.message_seq, c.id;
END
$claim$;
`,
}
