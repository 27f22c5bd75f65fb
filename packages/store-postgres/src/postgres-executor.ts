import { fromKysely, fromPg, MigrationRequiredError, type SqlExecutor, type SqlResult } from '@hookbox/core'
import { sql, type CompiledQuery, type Kysely, type PostgresPool } from 'kysely'
import { guardedPool } from './guarded-pool.js'
import type { PgPoolLike } from './postgres-store-config.js'
import type { HookboxDatabase } from './schema.js'

/** Undefined table, undefined schema, undefined function: the schema is not migrated (yet). */
const NOT_MIGRATED = new Set(['42P01', '3F000', '42883'])

/** A query kysely can compile: a builder, or a `sql` template. */
export interface Compilable<R> {
  compile(db: Kysely<any>): CompiledQuery<R>
}

/**
 * How the store runs SQL: queries are compiled with kysely, then executed through a
 * {@link SqlExecutor}: the host's transaction, one of the store's own, or the store's pool
 * (named prepared statements unless turned off).
 */
export class PostgresExecutor {
  /** The store's own connection: its pool, or the kysely instance it was given. */
  readonly own: SqlExecutor
  /** The pool's clients, guarded, for the store's own transactions (none when given only kysely). */
  readonly #pool: PostgresPool | undefined
  readonly #preparedStatements: boolean

  constructor(
    readonly db: Kysely<any>,
    readonly schema: string,
    pool: PgPoolLike | undefined,
    preparedStatements: boolean,
  ) {
    const pg = pool && typeof (pool as { query?: unknown }).query === 'function'
    this.own = pg
      ? fromPg(pool as never, { outsideTransaction: true, preparedStatements })
      : fromKysely(db as never, { outsideTransaction: true })
    this.#pool = pg ? guardedPool(pool) : undefined
    this.#preparedStatements = preparedStatements
  }

  /** Kysely over the store's schema, for building queries (never executing them). */
  get tables(): Kysely<HookboxDatabase> {
    return this.db.withSchema(this.schema) as Kysely<HookboxDatabase>
  }

  /** A table of the store's schema, for `sql` templates. */
  t(name: string) {
    return sql.table(`${this.schema}.${name}`)
  }

  /** Runs a query (on `x`, default the store's own connection) and returns its rows. */
  async rows<R>(query: Compilable<R>, x: SqlExecutor = this.own): Promise<R[]> {
    return (await this.run(query.compile(this.db), x)).rows as R[]
  }

  /** Runs a compiled query, turning "not migrated" errors into {@link MigrationRequiredError}. */
  run(query: Pick<CompiledQuery, 'sql' | 'parameters'>, x: SqlExecutor = this.own): Promise<SqlResult> {
    return x.executeSql(query.sql, query.parameters).catch((error: unknown) => Promise.reject(migrationError(error)))
  }

  /**
   * Runs `fn` in one transaction of the store's own. Over a pg pool, on a client of its own:
   * its statements are then named prepared statements like the pool's (Postgres parses and
   * plans the expansion's large locked read and write once per connection, not per batch),
   * and no kysely transaction (its executor, connection provider and compiled queries) is
   * built per batch.
   */
  transaction<T>(fn: (x: SqlExecutor) => Promise<T>): Promise<T> {
    const done = this.#pool
      ? pooledTransaction(this.#pool, this.#preparedStatements, fn)
      : this.db.transaction().execute((trx) => fn(fromKysely(trx as never)))
    return done.catch((error: unknown) => Promise.reject(migrationError(error)))
  }
}

/** BEGIN, `fn` on the client, then COMMIT, or ROLLBACK when anything failed (its error is the one thrown). */
async function pooledTransaction<T>(pool: PostgresPool, preparedStatements: boolean, fn: (x: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN', [])
    try {
      const result = await fn(fromPg(client as never, { outsideTransaction: true, preparedStatements }))
      await client.query('COMMIT', [])
      return result
    } catch (error) {
      // A failed ROLLBACK (a broken connection) leaves the first error to report; the guard drops the client.
      await client.query('ROLLBACK', []).catch(() => undefined)
      throw error
    }
  } finally {
    client.release()
  }
}

/** The error to throw for a driver error: {@link MigrationRequiredError} when the schema is missing. */
export function migrationError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && NOT_MIGRATED.has(code)) return new MigrationRequiredError('postgres', { cause: error })
  return error
}
