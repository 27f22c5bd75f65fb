import type { Migration } from '@hookbox/core'
import { quoteIdent } from '../identifiers.js'
import { initialMigration } from './000001-initial.js'
import { endpointHealthMigration } from './000002-endpoint-health.js'
import { deliveriesFillfactorMigration } from './000003-deliveries-fillfactor.js'
import { claimFunctionMigration } from './000004-claim-function.js'
import { claimOrderMigration } from './000005-claim-order.js'
import { tenantsMigration } from './000006-tenants.js'
import { endpointNamesMigration } from './000007-endpoint-names.js'
import { sqlNotifyMigration } from './000008-sql-notify.js'
import { configVersionMigration } from './000009-config-version.js'
import { plainClaimMigration } from './000010-plain-claim.js'
import { claimIndexWalkMigration } from './000011-claim-index-walk.js'
import { heldEndpointsIndexMigration } from './000012-held-endpoints-index.js'
import { writeBackIndexesMigration } from './000013-write-back-indexes.js'
import { tenantBlocksMigration } from './000014-tenant-blocks.js'
import { configVersionOnceMigration } from './000015-config-version-once.js'
import { claimGenericPlanMigration } from './000016-claim-generic-plan.js'
import { fruitlessSkipCheckMigration } from './000017-fruitless-skip-check.js'
import { headOfLineClaimMigration } from './000018-head-of-line-claim.js'
import { hotLeasesMigration } from './000019-hot-leases.js'
import { messageBlockMigration } from './000021-message-block.js'
import { skippedWindowMigration } from './000022-skipped-window.js'

/** Every migration of this version of the package, in order. */
export const migrations: readonly Migration[] = [
  initialMigration,
  endpointHealthMigration,
  deliveriesFillfactorMigration,
  claimFunctionMigration,
  claimOrderMigration,
  tenantsMigration,
  endpointNamesMigration,
  sqlNotifyMigration,
  configVersionMigration,
  plainClaimMigration,
  claimIndexWalkMigration,
  heldEndpointsIndexMigration,
  writeBackIndexesMigration,
  tenantBlocksMigration,
  configVersionOnceMigration,
  claimGenericPlanMigration,
  fruitlessSkipCheckMigration,
  headOfLineClaimMigration,
  hotLeasesMigration,
  messageBlockMigration,
  skippedWindowMigration,
]

/** SQL that creates the schema and its `migrations` book-keeping table. */
export function bootstrapSql(schema: string): string {
  const s = quoteIdent(schema)
  return `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.migrations (
  id integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`
}

/**
 * The full SQL of every migration for `schema` (default `hookbox`), for teams that run their
 * own migration tool. It records each step in `<schema>.migrations`, so `outbox.migrate()`
 * later finds nothing to do.
 *
 * @example
 * ```ts
 * import { migrationSql } from '@hookbox/store-postgres'
 * await fs.writeFile('migrations/20260101_hookbox.sql', migrationSql('hookbox'))
 * ```
 */
export function migrationSql(schema = 'hookbox'): string {
  const s = quoteIdent(schema)
  const steps = migrations.map(
    (m) =>
      `-- ${String(m.version).padStart(6, '0')} ${m.name}\n${m.sql(s).trim()}\nINSERT INTO ${s}.migrations (id, name) VALUES (${m.version}, '${m.name}') ON CONFLICT (id) DO NOTHING;`,
  )
  return [bootstrapSql(schema), ...steps].join('\n\n') + '\n'
}
