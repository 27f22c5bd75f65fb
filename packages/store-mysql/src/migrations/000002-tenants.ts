import type { Migration } from '@hookbox/core'

/**
 * Tenants: messages, endpoints, deliveries and attempts carry their tenant, `''` for none (so
 * every existing row is the platform's own and InnoDB indexes it by plain equality).
 * Expansion reads endpoints by (collection, tenant); request ids, ordering keys, idempotency
 * keys and results are scoped per tenant (the key and result tables get the tenant in their
 * primary key); `hookbox_tenants` keeps disable/enable. Each table changes in ONE `ALTER TABLE`
 * (atomic on MySQL 8 and MariaDB), so a run cut short is finished by the next `migrate()`, which
 * passes over the statements that already ran; the tenants table is `IF NOT EXISTS`.
 */
export const tenantsMigration: Migration = {
  version: 2,
  name: 'tenants',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    const options = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'
    const tenant = "tenant VARCHAR(128) NOT NULL DEFAULT ''"
    return `
ALTER TABLE ${t('hookbox_messages')} ADD COLUMN ${tenant},
  DROP INDEX hookbox_messages_ordering, ADD KEY hookbox_messages_ordering (ordering_key, tenant, expanded, seq),
  DROP INDEX hookbox_messages_request, ADD KEY hookbox_messages_request (request_id, tenant),
  ADD KEY hookbox_messages_tenant (tenant, seq);
ALTER TABLE ${t('hookbox_endpoints')} ADD COLUMN ${tenant},
  DROP INDEX hookbox_endpoints_collection, ADD KEY hookbox_endpoints_routing (collection, tenant),
  ADD KEY hookbox_endpoints_tenant (tenant, id);
ALTER TABLE ${t('hookbox_deliveries')} ADD COLUMN ${tenant},
  DROP INDEX hookbox_deliveries_ordering, ADD KEY hookbox_deliveries_ordering (ordering_key, tenant, collection, state, message_seq),
  ADD KEY hookbox_deliveries_tenant (tenant, id);
ALTER TABLE ${t('hookbox_attempts')} ADD COLUMN ${tenant}, ADD KEY hookbox_attempts_tenant (tenant);
ALTER TABLE ${t('hookbox_idempotency_keys')} ADD COLUMN ${tenant}, DROP PRIMARY KEY, ADD PRIMARY KEY (tenant, \`key\`);
ALTER TABLE ${t('hookbox_results')} ADD COLUMN ${tenant}, DROP PRIMARY KEY, ADD PRIMARY KEY (tenant, request_id);
CREATE TABLE IF NOT EXISTS ${t('hookbox_tenants')} (
  tenant VARCHAR(128) NOT NULL PRIMARY KEY,
  enabled TINYINT NOT NULL,
  disabled_reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
) ${options};
`
  },
}
