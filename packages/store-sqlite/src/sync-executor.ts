import { MigrationRequiredError, StoreError, type SqlResult } from '@hookbox/core'
import { CompiledQuery, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable } from 'kysely'
import type { HookboxSqliteSchema } from './schema.js'
import type { SqliteDatabase, SqliteStatement } from './sqlite-store-config.js'

/**
 * Builds queries with kysely and runs them synchronously on better-sqlite3. Synchronous on
 * purpose: a store transaction never spans an `await`, so it can never interleave with (or be
 * swallowed by) a host transaction on the same connection.
 */
export class SyncExecutor {
  /** A kysely instance that only compiles; it has no connection. */
  readonly qb = new Kysely<HookboxSqliteSchema>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  })
  readonly #statements = new Map<string, SqliteStatement>()
  readonly #inserts = new Map<string, string>()
  readonly #shapes = new Map<string, string>()
  /** Statements in raw mode (rows as arrays) with where their values are, by SQL. */
  readonly #raw = new Map<string, RawStatement<unknown>>()
  #transaction: { immediate(): unknown } | undefined
  /** What the running {@link tx} call runs. */
  #body: (() => unknown) | null = null

  constructor(readonly db: SqliteDatabase) {}

  #prepare(sql: string): SqliteStatement {
    let s = this.#statements.get(sql)
    if (!s) {
      s = migrationChecked(() => this.db.prepare(sql))
      if (this.#statements.size > 500) this.#statements.clear()
      this.#statements.set(sql, s)
    }
    return s
  }

  /** Rows of a select (or a statement with RETURNING). */
  all<R>(query: Compilable<R> | CompiledQuery<R>): R[] {
    const { sql, parameters } = 'compile' in query ? query.compile() : query
    return this.#prepare(sql).all(...parameters) as R[]
  }

  /**
   * Rows of a select as arrays, with `at(columns)`: where its values are, from the result's
   * column names; undefined on a driver without a raw mode. better-sqlite3 builds an object row
   * property by property through V8's API: on the claim's 22 columns that is two thirds of the
   * statement (196 against 125 µs for 32 rows). `at` runs once per statement text: only for a
   * select that names its columns, whose result columns its text fixes (reading them costs
   * 17 µs a call, a migration cannot change them).
   */
  arrays<P>(query: CompiledQuery, at: (columns: string[]) => P): { at: P; rows: unknown[][] } | undefined {
    let s = this.#raw.get(query.sql) as RawStatement<P> | undefined
    if (!s) {
      const statement = migrationChecked(() => this.db.prepare(query.sql))
      if (!statement.raw || !statement.columns) return undefined
      const raw = statement.raw(true)
      s = { statement: raw, at: at(raw.columns!().map((c) => c.name)) }
      if (this.#raw.size > 100) this.#raw.clear()
      this.#raw.set(query.sql, s)
    }
    return { at: s.at, rows: s.statement.all(...query.parameters) as unknown[][] }
  }

  /** The first row, or undefined. */
  one<R>(query: Compilable<R>): R | undefined {
    const { sql, parameters } = query.compile()
    return this.#prepare(sql).get(...parameters) as R | undefined
  }

  /**
   * A hot-path query whose SQL depends only on `key`. kysely builds it once; later calls reuse
   * the text with `values`, which must be the parameters in kysely's order (checked on the
   * first build, so a mismatch fails loudly in tests rather than binding wrong values).
   */
  shaped<R>(key: string, values: unknown[], build: () => Compilable<R>): CompiledQuery<R> {
    let text = this.#shapes.get(key)
    if (text === undefined) {
      const compiled = build().compile()
      if (compiled.parameters.length !== values.length || compiled.parameters.some((p, i) => p !== values[i]))
        throw new StoreError(`hookbox: parameters of query shape "${key}" are not in the expected order`)
      text = compiled.sql
      if (this.#shapes.size > 500) this.#shapes.clear()
      this.#shapes.set(key, text)
    }
    return CompiledQuery.raw(text, values) as CompiledQuery<R>
  }

  /** Runs any statement: rows for a reader, the number of rows changed for a write. */
  exec(query: CompiledQuery): SqlResult {
    const statement = this.#prepare(query.sql)
    if (statement.reader) return { rows: statement.all(...query.parameters) as Array<Record<string, unknown>> }
    return { rows: [], affectedRows: statement.run(...query.parameters).changes }
  }

  /** Runs a write; returns the number of rows changed. */
  run(query: Compilable<unknown> | CompiledQuery): number {
    const { sql, parameters } = 'compile' in query ? query.compile() : query
    return this.#prepare(sql).run(...parameters).changes
  }

  /**
   * A multi-row INSERT. kysely builds its SQL once per table, column list and row count; later
   * calls only flatten the values, which keeps `notify` close to the cost of a raw INSERT.
   */
  insert<T extends keyof HookboxSqliteSchema & string>(table: T, rows: Array<Record<string, unknown>>): CompiledQuery {
    const columns = Object.keys(rows[0] ?? {})
    const key = `${table}|${rows.length}|${columns.join(',')}`
    const parameters: unknown[] = []
    // Plain loops: no closure per row and per value (an expansion flattens 100 rows of 20 columns).
    for (const r of rows) for (const c of columns) parameters.push(r[c])
    let text = this.#inserts.get(key)
    if (text === undefined) {
      text = this.qb
        .insertInto(table)
        .values(rows as never)
        .compile().sql
      if (this.#inserts.size > 200) this.#inserts.clear()
      this.#inserts.set(key, text)
    }
    return CompiledQuery.raw(text, parameters)
  }

  /** Runs `fn` in an IMMEDIATE transaction (a savepoint if one is open). */
  tx<T>(fn: () => T): T {
    // One better-sqlite3 transaction function, built once, that runs whatever `#body` holds:
    // building one per call defined 20 properties on 4 new functions every time.
    this.#transaction ??= this.db.transaction(() => this.#body!())
    const outer = this.#body
    this.#body = fn
    try {
      return this.#transaction.immediate() as T
    } finally {
      this.#body = outer
    }
  }
}

/** A statement in raw mode and where its values are (see {@link SyncExecutor.arrays}). */
interface RawStatement<P> {
  statement: SqliteStatement
  at: P
}

/**
 * Runs `fn`, turning SQLite's "no such table" for one of the store's tables into
 * {@link MigrationRequiredError}: the host has not run `outbox.migrate()` yet.
 */
export function migrationChecked<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw migrationError(error)
  }
}

/** The error to throw for a driver error: {@link MigrationRequiredError} when a store table is missing. */
export function migrationError(error: unknown): unknown {
  if (error instanceof Error && /no such (table|index): hookbox_/.test(error.message))
    return new MigrationRequiredError('sqlite', { cause: error })
  return error
}
