import type { Migration } from '@hookbox/core'

/**
 * Tenants: messages, endpoints, deliveries and attempts carry their tenant, `''` for none (so
 * every existing row is the platform's own and the column is plain NOT NULL equality in every
 * store). Expansion reads endpoints by (collection, tenant); request ids, ordering keys,
 * idempotency keys and results are scoped per tenant; `hookbox_tenants` keeps disable/enable.
 * The key and result tables are rebuilt with the tenant in their primary key, rows carried over.
 */
export const tenantsMigration: Migration = {
  version: 6,
  name: 'tenants',
  sql: () => `
ALTER TABLE hookbox_messages ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
ALTER TABLE hookbox_endpoints ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
ALTER TABLE hookbox_deliveries ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
ALTER TABLE hookbox_attempts ADD COLUMN tenant TEXT NOT NULL DEFAULT '';

DROP INDEX hookbox_endpoints_collection;
CREATE INDEX hookbox_endpoints_routing ON hookbox_endpoints (collection, tenant);
CREATE INDEX hookbox_endpoints_tenant ON hookbox_endpoints (tenant, id);
DROP INDEX hookbox_messages_request;
CREATE INDEX hookbox_messages_request ON hookbox_messages (request_id, tenant);
CREATE INDEX hookbox_messages_tenant ON hookbox_messages (tenant, seq);
CREATE INDEX hookbox_deliveries_tenant ON hookbox_deliveries (tenant, id);
DROP INDEX hookbox_deliveries_ordering;
CREATE INDEX hookbox_deliveries_ordering ON hookbox_deliveries (ordering_key, tenant, collection, message_seq)
  WHERE ordering_key IS NOT NULL AND state = 'pending';

CREATE TABLE hookbox_idempotency_keys_t (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)
);
INSERT INTO hookbox_idempotency_keys_t (tenant, key, message_id, request_id, created_at)
  SELECT '', key, message_id, request_id, created_at FROM hookbox_idempotency_keys;
DROP TABLE hookbox_idempotency_keys;
ALTER TABLE hookbox_idempotency_keys_t RENAME TO hookbox_idempotency_keys;
CREATE INDEX hookbox_idempotency_keys_message ON hookbox_idempotency_keys (message_id);

CREATE TABLE hookbox_results_t (
  tenant TEXT NOT NULL,
  request_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, request_id)
);
INSERT INTO hookbox_results_t (tenant, request_id, status, body, created_at, expires_at)
  SELECT '', request_id, status, body, created_at, expires_at FROM hookbox_results;
DROP TABLE hookbox_results;
ALTER TABLE hookbox_results_t RENAME TO hookbox_results;
CREATE INDEX hookbox_results_expiry ON hookbox_results (expires_at);

CREATE TABLE hookbox_tenants (
  tenant TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL,
  disabled_reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX hookbox_tenants_disabled ON hookbox_tenants (tenant) WHERE enabled = 0;
`,
}
