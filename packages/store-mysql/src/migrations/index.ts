import type { Migration } from '@hookbox/core'
import { initialMigration } from './000001-initial.js'
import { tenantsMigration } from './000002-tenants.js'
import { endpointNamesMigration } from './000003-endpoint-names.js'
import { configVersionMigration } from './000005-config-version.js'

/**
 * Every migration in order. Exported so hosts that run their own migration tool can take the
 * SQL from here (`m.sql('')` for the connection's database, or ``m.sql('`name`')``) instead of
 * calling `migrate()`.
 */
export const migrations: readonly Migration[] = [initialMigration, tenantsMigration, endpointNamesMigration, configVersionMigration]

/** The book-keeping table `migrate()` records each applied version in, in database `quoted` (or the connection's). */
export function migrationsTableSql(quoted: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoted ? `${quoted}.` : ''}hookbox_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB`
}

/**
 * The full SQL of every migration, in order, for teams that run their own migration tool: for
 * `database` (default: the connection's own). It records each step in `hookbox_migrations`, so
 * `outbox.migrate()` later finds nothing to do. MySQL commits each DDL statement on its own and
 * the ALTERs of later migrations cannot be run twice: run the text once, on a database
 * `migrate()` has not touched (`migrate()` itself finishes a step that was cut short).
 *
 * @example
 * ```ts
 * import { migrationSql } from '@hookbox/store-mysql'
 * await fs.writeFile('migrations/20260101_hookbox.sql', migrationSql())
 * ```
 */
export function migrationSql(database?: string): string {
  const q = database ? `\`${database.replaceAll('`', '``')}\`` : ''
  const t = (name: string) => (q ? `${q}.${name}` : name)
  const steps = migrations.map(
    (m) =>
      `-- ${String(m.version).padStart(6, '0')} ${m.name}\n${m.sql(q).trim()}\nINSERT IGNORE INTO ${t('hookbox_migrations')} (version, name, applied_at) VALUES (${m.version}, '${m.name}', CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED));`,
  )
  return [`${migrationsTableSql(q)};`, ...steps].join('\n\n') + '\n'
}
