import type { Migration } from '@hookbox/core'
import { initialMigration } from './000001-initial.js'
import { endpointHealthMigration } from './000002-endpoint-health.js'
import { idempotencyKeysMigration } from './000003-idempotency-keys.js'
import { claimOrderMigration } from './000004-claim-order.js'
import { deliveryDeadlineMigration } from './000005-delivery-deadline.js'
import { tenantsMigration } from './000006-tenants.js'
import { endpointNamesMigration } from './000007-endpoint-names.js'
import { messageTenantBlocksMigration } from './000009-message-tenant-blocks.js'
import { configVersionMigration } from './000008-config-version.js'
import { deliveryTenantBlocksMigration } from './000010-delivery-tenant-blocks.js'
import { endpointDueMigration } from './000011-endpoint-due.js'
import { endpointDueBlocksMigration } from './000012-endpoint-due-blocks.js'
import { endpointDueHalfBlocksMigration } from './000013-endpoint-due-half-blocks.js'
import { endpointClaimIndexMigration } from './000014-endpoint-claim-index.js'

/**
 * Every migration in order. Exported so hosts that run their own migration tool can take the
 * SQL from here (`m.sql('')`) instead of calling `migrate()`.
 */
export const migrations: readonly Migration[] = [
  initialMigration,
  endpointHealthMigration,
  idempotencyKeysMigration,
  claimOrderMigration,
  deliveryDeadlineMigration,
  tenantsMigration,
  endpointNamesMigration,
  configVersionMigration,
  messageTenantBlocksMigration,
  deliveryTenantBlocksMigration,
  endpointDueMigration,
  endpointDueBlocksMigration,
  endpointDueHalfBlocksMigration,
  endpointClaimIndexMigration,
]

/** The book-keeping table `migrate()` records each applied version in. */
export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS hookbox_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)'

/**
 * The full SQL of every migration, in order, for teams that run their own migration tool. It
 * records each step in `hookbox_migrations`, so `outbox.migrate()` later finds nothing to do.
 * Run it once, in one transaction, on a database without Hookbox's tables.
 *
 * @example
 * ```ts
 * import { migrationSql } from '@hookbox/store-sqlite'
 * await fs.writeFile('migrations/20260101_hookbox.sql', migrationSql())
 * ```
 */
export function migrationSql(): string {
  const steps = migrations.map(
    (m) =>
      `-- ${String(m.version).padStart(6, '0')} ${m.name}\n${m.sql('').trim()}\nINSERT OR IGNORE INTO hookbox_migrations (version, applied_at) VALUES (${m.version}, CAST(unixepoch('subsec') * 1000 AS INTEGER));`,
  )
  return [`${MIGRATIONS_TABLE_SQL};`, ...steps].join('\n\n') + '\n'
}
