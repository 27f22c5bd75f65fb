/**
 * PostgreSQL store for Hookbox: many dispatchers on many machines sharing one schema, with
 * `notify` joining the host's kysely or pg transaction and waking dispatchers on commit.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createOutbox } from '@hookbox/core'
 * import { postgresStore } from '@hookbox/store-postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const outbox = createOutbox({ store: postgresStore({ pool }) })
 * await outbox.migrate()
 * outbox.start()
 * ```
 *
 * @module @hookbox/store-postgres
 */
import { PostgresStore } from './postgres-store.js'
import type { PostgresStoreConfig } from './postgres-store-config.js'

export { PostgresStore } from './postgres-store.js'
export type { PostgresStoreConfig, PgPoolLike, PgListenClient, WakeMode } from './postgres-store-config.js'
export { migrations, migrationSql } from './migrations/index.js'
export type { Migration } from '@hookbox/core'
export type { HookboxDatabase } from './schema.js'
export { wakeChannel } from './identifiers.js'

/**
 * Creates the Postgres store. Pass a `pg.Pool` (`{ pool }`) or a kysely instance on the
 * Postgres dialect (`{ db }`); the store never ends either. Call `outbox.migrate()` once
 * (safe from several processes at once), then `notify` inside a kysely `Transaction` or a pg
 * `PoolClient` between `BEGIN` and `COMMIT`.
 *
 * @example
 * ```ts
 * const outbox = createOutbox({ store: postgresStore({ pool, schema: 'hookbox', wake: 'notify' }) })
 * await db.transaction().execute(async (trx) => {
 *   await trx.updateTable('orders').set({ status: 'paid' }).where('id', '=', id).execute()
 *   await outbox.notify({ type: 'order.paid', payload: { id } }, { transaction: trx })
 * })
 * ```
 */
export function postgresStore(config: PostgresStoreConfig): PostgresStore {
  return new PostgresStore(config)
}
