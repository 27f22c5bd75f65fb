import { existsSync } from 'node:fs'
import { createOutbox, type Outbox } from '../outbox.js'
import type { RetentionOptions } from '../retention.js'
import type { Store } from '../store/store.js'
import { CliError, UsageError } from './errors.js'

/** Where the CLI's database is: a SQLite file or a Postgres URL. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }

/** How to open the outbox; see {@link openOutbox}. */
export interface ConnectOptions {
  /** `--db`, else `HOOKBOX_DATABASE`. */
  db: string | undefined
  /** Postgres schema (`--schema`, else `HOOKBOX_SCHEMA`, else the store's default `hookbox`). */
  schema: string | undefined
  /** Create the SQLite file when missing (only `migrate` does). */
  create: boolean
  /** Retention used by `purge`. */
  retention?: RetentionOptions
}

/** An open outbox and what closes it. */
export interface Connection {
  outbox: Outbox
  target: DatabaseTarget
  close(): Promise<void>
}

/** Reads `--db`: `postgres://…` / `postgresql://…` is Postgres; anything else (optionally `sqlite:`-prefixed) a SQLite file. */
export function parseTarget(db: string | undefined): DatabaseTarget {
  if (!db) throw new UsageError('no database: pass --db <file.db | postgres://…> or set HOOKBOX_DATABASE')
  if (/^postgres(ql)?:\/\//i.test(db)) return { kind: 'postgres', url: db }
  return { kind: 'sqlite', file: db.replace(/^sqlite:/i, '') }
}

// The store packages and drivers are optional peers: typed here by the little the CLI uses, and
// imported through a variable so that building core needs neither of them (they depend on core).
interface SqliteModule {
  sqliteStore(config: { database: unknown; closeDatabase?: boolean }): Store
}
interface BetterSqliteModule {
  default: new (file: string, options?: { fileMustExist?: boolean; timeout?: number }) => unknown
}
interface PostgresModule {
  postgresStore(config: { pool: unknown; schema?: string }): Store
}
interface PgPool {
  end(): Promise<void>
  on(event: 'error', listener: (error: Error) => void): unknown
}
interface PgModule {
  default: { Pool: new (config: { connectionString: string; max?: number }) => PgPool }
}

/** Imports an optional peer, or throws a {@link CliError} saying what to install to use `why`. */
export async function importOptional<T>(specifier: string, why: string): Promise<T> {
  try {
    return (await import(specifier)) as T
  } catch (error) {
    const e = error as { code?: string; message?: string }
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes(`'${specifier}'`))
      throw new CliError('MISSING_PACKAGE', `install ${specifier} to use ${why}`, { cause: error })
    throw error
  }
}

/** Opens the store named by `--db` and an outbox over it; the dispatcher is never started. */
export async function openOutbox(options: ConnectOptions): Promise<Connection> {
  const target = parseTarget(options.db)
  const retention = { ...options.retention, everyMs: 0 }
  if (target.kind === 'sqlite') {
    if (!options.create && !existsSync(target.file))
      throw new CliError('NO_DATABASE', `SQLite file not found: ${target.file} (create it with 'hookbox migrate')`)
    const { sqliteStore } = await importOptional<SqliteModule>('@hookbox/store-sqlite', 'a SQLite file')
    const { default: Database } = await importOptional<BetterSqliteModule>('better-sqlite3', 'a SQLite file')
    // A busy timeout: the host application may be writing to the same file right now.
    const database = new Database(target.file, { timeout: 5000 })
    const outbox = createOutbox({ store: sqliteStore({ database, closeDatabase: true }), retention })
    return { outbox, target, close: () => outbox.close({ timeout: 5000 }) }
  }
  const { postgresStore } = await importOptional<PostgresModule>('@hookbox/store-postgres', 'a Postgres URL')
  const { default: pg } = await importOptional<PgModule>('pg', 'a Postgres URL')
  const pool = new pg.Pool({ connectionString: target.url, max: 2 })
  pool.on('error', () => {}) // an idle client's error must not crash a one-shot command; queries report their own
  try {
    const outbox = createOutbox({ store: postgresStore({ pool, ...(options.schema ? { schema: options.schema } : {}) }), retention })
    return {
      outbox,
      target,
      close: async () => {
        await outbox.close({ timeout: 5000 })
        await pool.end() // the store never ends a pool it was given
      },
    }
  } catch (error) {
    await pool.end()
    throw error
  }
}
