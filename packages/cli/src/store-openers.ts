import type { Store } from '@hookbox/core'
import type { DatabaseTarget } from './database-target.js'
import { importFromHost } from './host-modules.js'

// The store packages and their drivers are the host project's, never the CLI's own dependencies:
// each is typed here by the little the CLI uses of it.
interface SqliteStoreModule {
  sqliteStore(config: { database: unknown; closeDatabase?: boolean }): Store
}
interface BetterSqliteModule {
  default: new (file: string, options?: { timeout?: number }) => unknown
}
interface PostgresStoreModule {
  postgresStore(config: { pool: unknown; schema?: string }): Store
}
interface PgModule {
  default: { Pool: new (config: { connectionString: string; max?: number }) => PgPool }
}
interface PgPool {
  end(): Promise<void>
  on(event: 'error', listener: () => void): unknown
}
interface MysqlStoreModule {
  mysqlStore(config: { pool: unknown }): Store
}
// kysely's MySQL dialect takes mysql2's callback pool, not the promise one.
interface Mysql2Module {
  default: { createPool(config: { uri: string; connectionLimit?: number }): { end(callback: () => void): void } }
}

/** What a store package exports for `hookbox migrate --print-sql`. */
interface MigrationSqlModule {
  migrationSql(schema?: string): string
}

/**
 * The full schema SQL of the store package for `target` (from the project at `cwd`), without
 * opening the database: Postgres for `schema` (default `hookbox`), MySQL for the connection's
 * own database, SQLite as is.
 */
export async function storeMigrationSql(target: DatabaseTarget, cwd: string, schema: string | undefined): Promise<string> {
  const name = { sqlite: '@hookbox/store-sqlite', postgres: '@hookbox/store-postgres', mysql: '@hookbox/store-mysql' }[target.kind]
  const store = await importFromHost<MigrationSqlModule>(name, { dir: cwd }, 'migrate --print-sql')
  return target.kind === 'postgres' && schema ? store.module.migrationSql(schema) : store.module.migrationSql()
}

/** A store over the target's database, and what releases the connection the CLI opened for it. */
export interface OpenedStore {
  store: Store
  /** Called after the outbox has closed (the stores never end a pool they were given). */
  release(): Promise<void>
}

/**
 * Loads the store package for `target` and its driver, both from the project at `cwd` (the driver
 * from next to the store, where the store itself finds it), and opens the database.
 */
export async function openStore(target: DatabaseTarget, cwd: string, schema: string | undefined): Promise<OpenedStore> {
  if (target.kind === 'sqlite') {
    const purpose = 'a SQLite file'
    const store = await importFromHost<SqliteStoreModule>('@hookbox/store-sqlite', { dir: cwd }, purpose)
    const driver = await importFromHost<BetterSqliteModule>('better-sqlite3', store, purpose)
    // A busy timeout: the host application may be writing to the same file right now.
    const database = new driver.module.default(target.file, { timeout: 5000 })
    return { store: store.module.sqliteStore({ database, closeDatabase: true }), release: async () => {} }
  }
  if (target.kind === 'postgres') {
    const purpose = 'a Postgres URL'
    const store = await importFromHost<PostgresStoreModule>('@hookbox/store-postgres', { dir: cwd }, purpose)
    const driver = await importFromHost<PgModule>('pg', store, purpose)
    const pool = new driver.module.default.Pool({ connectionString: target.url, max: 2 })
    pool.on('error', () => {}) // an idle client's error must not crash a one-shot command; queries report their own
    return withPool(
      () => pool.end(),
      () => store.module.postgresStore({ pool, ...(schema ? { schema } : {}) }),
    )
  }
  const purpose = 'a mysql:// URL'
  const store = await importFromHost<MysqlStoreModule>('@hookbox/store-mysql', { dir: cwd }, purpose)
  const driver = await importFromHost<Mysql2Module>('mysql2', store, purpose)
  const pool = driver.module.default.createPool({ uri: target.url, connectionLimit: 2 })
  return withPool(
    () => new Promise<void>((done) => pool.end(done)),
    () => store.module.mysqlStore({ pool }),
  )
}

/** The store `make` builds over a pool, which `release` ends after use, or at once when making the store fails. */
async function withPool(release: () => Promise<void>, make: () => Store): Promise<OpenedStore> {
  try {
    return { store: make(), release }
  } catch (error) {
    await release()
    throw error
  }
}
