/**
 * `@hookbox/store-mysql`: MySQL 8 and MariaDB >= 10.6 for Hookbox. Many dispatchers on many
 * machines share one database, and `notify` joins the host's kysely or mysql2 transaction.
 *
 * @module @hookbox/store-mysql
 */
import { MysqlStore } from './mysql-store.js'
import type { MysqlStoreConfig } from './mysql-store-config.js'

/**
 * Creates the MySQL store over a mysql2 pool (`{ pool }`) or a kysely instance on the MySQL
 * dialect (`{ db }`); the store never ends either. Call `outbox.migrate()` once (safe from
 * several processes at once), then `notify` inside a kysely `Transaction` or a mysql2
 * connection between `beginTransaction()` and `commit()`.
 *
 * @example
 * ```ts
 * import { createPool } from 'mysql2'
 * const pool = createPool({ uri: process.env.MYSQL_URL })
 * const outbox = createOutbox({ store: mysqlStore({ pool }) })
 * await outbox.migrate()
 * ```
 */
export function mysqlStore(config: MysqlStoreConfig): MysqlStore {
  return new MysqlStore(config)
}

export { MysqlStore }
export type { MysqlStoreConfig, Mysql2PoolLike } from './mysql-store-config.js'
export type { HookboxMysqlSchema } from './schema.js'
export { migrations, migrationSql, splitStatements } from './migrations/index.js'
export type { Migration } from '@hookbox/core'
