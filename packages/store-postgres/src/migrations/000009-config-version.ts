import type { Migration } from '@hookbox/core'

/** Columns the circuit breaker writes on every outcome: changing only these is not a configuration change. */
const HEALTH = `- 'paused_until' - 'failing_since' - 'updated_at'`

/**
 * A configuration version that every write to collections, endpoints or tenants bumps, by
 * trigger so raw SQL writes count too; the dispatcher keeps the routing in memory while the
 * version stays the same. Row-level, so an `INSERT … ON CONFLICT DO NOTHING` that changes
 * nothing bumps nothing; an update that only touches the breaker's columns (or `updated_at`)
 * does not bump either.
 */
export const configVersionMigration: Migration = {
  version: 9,
  name: 'config version',
  sql: (s) => `
CREATE TABLE IF NOT EXISTS ${s}.config_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL
);
INSERT INTO ${s}.config_version (id, version) VALUES (true, 1) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION ${s}.bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $bump$
BEGIN
  UPDATE ${s}.config_version SET version = version + 1;
  RETURN NULL;
END
$bump$;
${['collections', 'endpoints', 'tenants']
  .map(
    (table) => `DROP TRIGGER IF EXISTS ${table}_config_written ON ${s}.${table};
CREATE TRIGGER ${table}_config_written AFTER INSERT OR DELETE ON ${s}.${table}
  FOR EACH ROW EXECUTE FUNCTION ${s}.bump_config_version();
DROP TRIGGER IF EXISTS ${table}_config_updated ON ${s}.${table};
CREATE TRIGGER ${table}_config_updated AFTER UPDATE ON ${s}.${table}
  FOR EACH ROW WHEN ((to_jsonb(OLD) ${HEALTH}) IS DISTINCT FROM (to_jsonb(NEW) ${HEALTH}))
  EXECUTE FUNCTION ${s}.bump_config_version();`,
  )
  .join('\n')}
`,
}
