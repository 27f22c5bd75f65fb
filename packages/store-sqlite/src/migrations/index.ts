import type { Migration } from '@hookbox/core'
import { initialMigration } from './000001-initial.js'
import { endpointHealthMigration } from './000002-endpoint-health.js'
import { idempotencyKeysMigration } from './000003-idempotency-keys.js'
import { claimOrderMigration } from './000004-claim-order.js'
import { deliveryDeadlineMigration } from './000005-delivery-deadline.js'
import { tenantsMigration } from './000006-tenants.js'
import { endpointNamesMigration } from './000007-endpoint-names.js'

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
]
