import type { Migration } from '@hookbox/core'
import { initialMigration } from './000001-initial.js'
import { tenantsMigration } from './000002-tenants.js'
import { endpointNamesMigration } from './000003-endpoint-names.js'
import { sqlNotifyMigration } from './000004-sql-notify.js'
import { configVersionMigration } from './000005-config-version.js'
import { endpointDueMigration } from './000007-endpoint-due.js'
import { orderingSeqMigration } from './000008-ordering-seq.js'
import { pendingEndpointMigration } from './000009-pending-endpoint.js'
import { deliveryTenantBlocksMigration } from './000010-delivery-tenant-blocks.js'

/**
 * Every migration in order. Exported so hosts that run their own migration tool can take the
 * SQL from here (`m.sql('')` for the connection's database, or ``m.sql('`name`')``) instead of
 * calling `migrate()`.
 */
export const migrations: readonly Migration[] = [
  initialMigration,
  tenantsMigration,
  endpointNamesMigration,
  sqlNotifyMigration,
  configVersionMigration,
  endpointDueMigration,
  orderingSeqMigration,
  pendingEndpointMigration,
  deliveryTenantBlocksMigration,
]

/**
 * Splits migration SQL into statements: each ends with `;` at the end of a line, except a
 * stored routine (`CREATE FUNCTION` / `PROCEDURE` / `TRIGGER`), whose body holds `;` of its own
 * and which runs to a line that is exactly `END;` (a routine whose first line ends in `;`, such
 * as a one-statement trigger, ends there). The server takes a routine whole when it
 * comes as one statement; only the `mysql` command-line client needs `DELIMITER` for it.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = []
  let current: string[] = []
  let routine = false
  for (const line of text.split('\n')) {
    if (current.every((l) => !l.trim() || l.trim().startsWith('--')))
      routine = /^\s*CREATE\s+(FUNCTION|PROCEDURE|TRIGGER)\b/i.test(line) && !/;\s*$/.test(line)
    current.push(line)
    if (routine ? /^END;\s*$/.test(line) : /;\s*$/.test(line)) {
      statements.push(current.join('\n').trim().replace(/;$/, ''))
      current = []
    }
  }
  statements.push(current.join('\n').trim())
  return statements.filter(Boolean)
}

/** The book-keeping table `migrate()` records each applied version in, in database `quoted` (or the connection's). */
export function migrationsTableSql(quoted: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoted ? `${quoted}.` : ''}hookbox_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB`
}

/**
 * The full SQL of every migration, in order, for teams that run their own migration tool: for
 * `database` (default: the connection's own). Run it with {@link splitStatements} (or a tool that
 * understands stored routines; with the `mysql` client, wrap `hookbox_crockford` and
 * `hookbox_notify` in `DELIMITER`). It records each step in `hookbox_migrations`, so
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
