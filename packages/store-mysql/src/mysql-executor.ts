import { MigrationRequiredError, StoreError, type SqlResult } from '@hookbox/core'
import { CompiledQuery, type Compilable, type Kysely } from 'kysely'
import { kyselySession, type MysqlSession } from './mysql-session.js'
import type { HookboxMysqlSchema } from './schema.js'

/** The SQL texts a store keeps, shared by its executor and those of its transactions. */
interface TextCaches {
  readonly inserts: Map<string, string>
  readonly shapes: Map<string, string>
  readonly texts: Map<string, string>
}

/**
 * Builds queries with kysely and runs them in a {@link MysqlSession} (straight on the store's
 * mysql2 pool, or through the host's kysely instance), or inside one of the store's own
 * transactions ({@link MysqlExecutor.tx}).
 */
export class MysqlExecutor {
  /** Kysely over the store's tables (qualified with `database` when one is configured). */
  readonly qb: Kysely<HookboxMysqlSchema>
  /** Where statements run. */
  readonly session: MysqlSession
  readonly inserts: Map<string, string>
  readonly shapes: Map<string, string>
  readonly texts: Map<string, string>

  /**
   * @param db kysely for building queries (and for the migrations' own connection)
   * @param session where statements run: through `db` unless given
   */
  constructor(
    readonly db: Kysely<any>,
    readonly database: string | undefined,
    session?: MysqlSession,
    caches: TextCaches = { inserts: new Map(), shapes: new Map(), texts: new Map() },
    qb?: Kysely<HookboxMysqlSchema>,
  ) {
    this.qb = qb ?? ((database ? db.withSchema(database) : db) as Kysely<HookboxMysqlSchema>)
    this.session = session ?? kyselySession(db)
    ;({ inserts: this.inserts, shapes: this.shapes, texts: this.texts } = caches)
  }

  /** A table's quoted (and qualified) name, for raw SQL. */
  table(name: keyof HookboxMysqlSchema): string {
    return this.database ? `\`${this.database}\`.\`${name}\`` : `\`${name}\``
  }

  /** Runs any statement: its rows, and how many rows it matched for a write. */
  async exec(query: CompiledQuery): Promise<SqlResult> {
    try {
      return await this.session.query(query)
    } catch (error) {
      throw migrationError(error)
    }
  }

  /** Rows of a select. */
  async all<R>(query: Compilable<R> | CompiledQuery<R>): Promise<R[]> {
    return (await this.exec('compile' in query ? query.compile() : query)).rows as R[]
  }

  /** The first row, or undefined. */
  async one<R>(query: Compilable<R>): Promise<R | undefined> {
    return (await this.all(query))[0]
  }

  /** Runs a write; returns the number of rows it matched. */
  async run(query: Compilable<unknown> | CompiledQuery): Promise<number> {
    return (await this.exec('compile' in query ? query.compile() : query)).affectedRows ?? 0
  }

  /**
   * A multi-row INSERT. kysely builds its SQL once per table, column list and row count; later
   * calls only flatten the values, which keeps `notify` close to the cost of a raw INSERT.
   */
  insert(table: keyof HookboxMysqlSchema, rows: Array<Record<string, unknown>>): CompiledQuery {
    const columns = Object.keys(rows[0] ?? {})
    const key = `${table}|${rows.length}|${columns.join(',')}`
    let text = this.inserts.get(key)
    if (text === undefined) {
      text = this.qb
        .insertInto(table)
        .values(rows as never)
        .compile().sql
      if (this.inserts.size > 500) this.inserts.clear()
      this.inserts.set(key, text)
    }
    return CompiledQuery.raw(
      text,
      rows.flatMap((r) => columns.map((c) => r[c])),
    )
  }

  /**
   * A query whose SQL depends only on `key` (the claim: building it costs more than running it
   * on an idle queue). kysely builds it once; later calls reuse the text with `values`, which
   * must be its parameters in kysely's order (checked on the first build).
   */
  shaped<R>(key: string, values: unknown[], build: () => Compilable<R>): CompiledQuery<R> {
    return reused(this.shapes, 200, key, values, build)
  }

  /**
   * A statement whose text depends only on `key`, kept apart from {@link MysqlExecutor.shaped}'s
   * (its keys vary with a batch's size, so they would crowd the claim's shapes out): the
   * write-back's UPDATE and the claim's reads, one per row count. `build` runs once per key, as
   * SQL text or as a kysely query whose parameters must be `values` in order (checked then).
   */
  text<R = unknown>(key: string, values: unknown[], build: () => string | Compilable<R>): CompiledQuery<R> {
    return reused(this.texts, 500, key, values, build)
  }

  /**
   * Runs `fn` in a transaction of the store's own. `scan` makes it READ COMMITTED, for the
   * transactions whose locking reads scan an index range (expansion, claims, purge): there they
   * lock only the rows they return, with no gap locks, so they never hold up `notify`'s or the
   * expansion's inserts, and each sees the latest committed rows. The others lock by primary
   * key, where the server's default isolation takes the same locks, and save the round trip.
   */
  tx<T>(fn: (x: MysqlExecutor) => Promise<T>, scan?: 'scan'): Promise<T> {
    return this.session.transaction(
      (session) => fn(new MysqlExecutor(this.db, this.database, session, this, this.qb)),
      scan ? 'read committed' : undefined,
    )
  }
}

/** `values` with the SQL text `texts` keeps for `key` (at most `max` keys), built by `build` the first time. */
function reused<R>(
  texts: Map<string, string>,
  max: number,
  key: string,
  values: unknown[],
  build: () => string | Compilable<R>,
): CompiledQuery<R> {
  let text = texts.get(key)
  if (text === undefined) {
    const built = build()
    text = typeof built === 'string' ? built : checked(key, values, built)
    if (texts.size > max) texts.clear()
    texts.set(key, text)
  }
  return CompiledQuery.raw(text, values) as CompiledQuery<R>
}

/** `query`'s SQL, once its parameters are known to be `values` in order (so that its text can be reused with others). */
function checked(key: string, values: unknown[], query: Compilable<unknown>): string {
  const compiled = query.compile()
  if (compiled.parameters.length !== values.length || compiled.parameters.some((p, i) => p !== values[i]))
    throw new StoreError(`hookbox: parameters of query shape "${key}" are not in the expected order`)
  return compiled.sql
}

/**
 * Turns MySQL's "table doesn't exist" (1146) for one of the store's tables into
 * {@link MigrationRequiredError}: the host has not run `outbox.migrate()` yet. Other errors
 * pass unchanged.
 */
export function migrationError(error: unknown): unknown {
  const e = error as { errno?: unknown; message?: unknown }
  if (e?.errno === 1146 && typeof e.message === 'string' && e.message.includes('hookbox_'))
    return new MigrationRequiredError('mysql', { cause: error })
  return error
}
