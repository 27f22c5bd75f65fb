/**
 * `@hookbox/store-sqlite`: the embedded default store. The outbox lives in the application's
 * own SQLite file, so `notify` joins the application's transactions.
 *
 * @module @hookbox/store-sqlite
 */
import { SqliteStore } from './sqlite-store.js'
import type { SqliteStoreConfig } from './sqlite-store-config.js'

/**
 * Creates a SQLite store over the application's better-sqlite3 database.
 *
 * @example
 * ```ts
 * const db = new Database('app.db')
 * const outbox = createOutbox({ store: sqliteStore({ database: db }) })
 * ```
 */
export function sqliteStore(config: SqliteStoreConfig): SqliteStore {
  return new SqliteStore(config)
}

export { SqliteStore }
export type { SqliteStoreConfig, SqliteDatabase, SqliteStatement } from './sqlite-store-config.js'
export type { HookboxSqliteSchema } from './schema.js'
export { migrations, migrationSql } from './migrations/index.js'
export type { Migration } from '@hookbox/core'
