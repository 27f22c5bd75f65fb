import type { Migration } from '@hookbox/core'
import { initialMigration } from './000001-initial.js'
import { tenantsMigration } from './000002-tenants.js'

/**
 * Every migration in order. Exported so hosts that run their own migration tool can take the
 * SQL from here (`m.sql('')` for the connection's database, or ``m.sql('`name`')``) instead of
 * calling `migrate()`.
 */
export const migrations: readonly Migration[] = [initialMigration, tenantsMigration]
