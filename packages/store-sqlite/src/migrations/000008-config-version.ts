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

const BUMP = 'BEGIN UPDATE hookbox_config_version SET version = version + 1; END'

/**
 * A configuration version that every write to collections, endpoints or tenants bumps, by
 * trigger so raw SQL writes count too; the dispatcher keeps the routing in memory while the
 * version stays the same. An update that sets only the breaker's columns does not bump it.
 */
export const configVersionMigration: Migration = {
  version: 8,
  name: 'config version',
  sql: () => `
CREATE TABLE hookbox_config_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO hookbox_config_version (id, version) VALUES (1, 1);
${Object.entries(CONFIG_COLUMNS)
  .map(
    ([table, columns]) => `CREATE TRIGGER ${table}_config_inserted AFTER INSERT ON ${table} ${BUMP};
CREATE TRIGGER ${table}_config_deleted AFTER DELETE ON ${table} ${BUMP};
CREATE TRIGGER ${table}_config_updated AFTER UPDATE OF ${columns.join(', ')} ON ${table} ${BUMP};`,
  )
  .join('\n')}
`,
}
