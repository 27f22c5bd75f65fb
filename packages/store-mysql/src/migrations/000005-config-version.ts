import type { Migration } from '@hookbox/core'

/** The columns whose change is a configuration change (not the breaker's, not `updated_at`). */
const CONFIG_COLUMNS: Record<string, string[]> = {
  hookbox_collections: ['name', 'events', 'policy', 'failure_mode', 'success', 'enabled'],
  hookbox_endpoints: ['tenant', 'name', 'id', 'collection', 'url', 'enabled', 'disabled_reason', 'events', 'headers', 'timeout_ms'].concat([
    'success',
    'append_request_id',
    'auth',
    'description',
    'max_in_flight',
    'rate_per_second',
  ]),
  hookbox_tenants: ['tenant', 'enabled', 'disabled_reason'],
}

/**
 * A configuration version that every write to collections, endpoints or tenants bumps, by
 * trigger so raw SQL writes count too; the dispatcher keeps the routing in memory while the
 * version stays the same. An update that changes only the breaker's columns does not bump it.
 * Each trigger is one statement (the migration runs statement by statement) and is dropped
 * first, so the migration can run again.
 */
export const configVersionMigration: Migration = {
  version: 5,
  name: 'config version',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    const bump = `UPDATE ${t('hookbox_config_version')} SET version = version + 1`
    return `
CREATE TABLE IF NOT EXISTS ${t('hookbox_config_version')} (id TINYINT PRIMARY KEY, version BIGINT NOT NULL);
INSERT IGNORE INTO ${t('hookbox_config_version')} (id, version) VALUES (1, 1);
${Object.entries(CONFIG_COLUMNS)
  .map(([table, columns]) => {
    const same = columns.map((c) => `OLD.${c} <=> NEW.${c}`).join(' AND ')
    return `DROP TRIGGER IF EXISTS ${t(`${table}_config_inserted`)};
CREATE TRIGGER ${t(`${table}_config_inserted`)} AFTER INSERT ON ${t(table)} FOR EACH ROW ${bump};
DROP TRIGGER IF EXISTS ${t(`${table}_config_deleted`)};
CREATE TRIGGER ${t(`${table}_config_deleted`)} AFTER DELETE ON ${t(table)} FOR EACH ROW ${bump};
DROP TRIGGER IF EXISTS ${t(`${table}_config_updated`)};
CREATE TRIGGER ${t(`${table}_config_updated`)} AFTER UPDATE ON ${t(table)} FOR EACH ROW ${bump} WHERE NOT (${same});`
  })
  .join('\n')}
`
  },
}
