import { InvalidTransactionError } from '../errors.js'
import { mysqlResult, refuseOutsideMysqlTransaction } from './from-mysql2.js'
import type { SqlExecutor, SqlResult, SyncSqlExecutor } from './sql-executor.js'
import { returnsRows, splitPlaceholders } from './sql-text.js'

/** The part of drizzle's `sql` tag the adapter builds statements with: pass `sql` from `drizzle-orm`. */
export interface DrizzleSqlTag {
  raw(text: string): unknown
  param(value: unknown): unknown
  join(chunks: unknown[]): unknown
}

/**
 * The subset of a drizzle transaction (the `tx` of `db.transaction((tx) => …)`) the adapter
 * uses: `execute` on node-postgres and mysql2, `all` / `run` on better-sqlite3.
 */
export interface DrizzleTransaction {
  rollback(): unknown
  execute?(query: unknown): PromiseLike<unknown>
  all?(query: unknown): unknown
  run?(query: unknown): unknown
}

/** drizzle marks each class with its name under this symbol (what its public `is()` reads). */
const ENTITY_KIND = Symbol.for('drizzle:entityKind')

/**
 * Joins a drizzle transaction: pass the `tx` of `db.transaction()` and drizzle's `sql` tag, on
 * node-postgres, mysql2 or better-sqlite3. Statements go through drizzle's public raw API
 * (`tx.execute(sql…)`, or `tx.all` / `tx.run` on better-sqlite3, synchronously, so `notify`
 * returns at once there), with every value bound as a parameter (`sql.param`). A drizzle
 * database that is not a transaction is refused with {@link InvalidTransactionError}; so is a
 * `tx` whose transaction has ended (its connection would otherwise commit each statement on
 * its own): before the first statement the adapter asks the database, with a savepoint on
 * Postgres, the status flags of a `DO 0` on MySQL and a `BEGIN` that SQLite must refuse.
 *
 * @example
 * ```ts
 * import { sql } from 'drizzle-orm'
 * await db.transaction(async (tx) => {
 *   await tx.update(orders).set({ state: 'paid' }).where(eq(orders.id, id))
 *   await outbox.notify({ type: 'order.paid', payload: { id } }, { transaction: fromDrizzle(tx, sql) })
 * })
 * ```
 */
export function fromDrizzle(tx: DrizzleTransaction, sql: DrizzleSqlTag): SqlExecutor | SyncSqlExecutor {
  const kinds = entityKinds(tx)
  const statement = (text: string, values: readonly unknown[]) => {
    const { fragments, values: ordered } = splitPlaceholders(text, values)
    const chunks: unknown[] = [sql.raw(fragments[0]!)]
    ordered.forEach((value, i) => chunks.push(sql.param(value), sql.raw(fragments[i + 1]!)))
    return sql.join(chunks)
  }
  if (kinds.includes('PgTransaction') && tx.execute) return pgExecutor(tx.execute.bind(tx), statement, sql)
  if (kinds.includes('MySqlTransaction') && tx.execute) return mysqlExecutor(tx.execute.bind(tx), statement, sql)
  if (kinds.includes('BetterSQLiteTransaction') && tx.all && tx.run) return sqliteExecutor(tx.all.bind(tx), tx.run.bind(tx), statement, sql)
  throw new InvalidTransactionError(
    kinds.some((k) => /Database$/.test(k))
      ? 'a drizzle database is not a transaction: pass the tx of db.transaction((tx) => …), or omit `transaction`'
      : 'not a drizzle transaction on node-postgres, mysql2 or better-sqlite3: pass the tx of db.transaction((tx) => …), or omit `transaction`',
  )
}

type Build = (text: string, values: readonly unknown[]) => unknown

function pgExecutor(execute: (query: unknown) => PromiseLike<unknown>, statement: Build, sql: DrizzleSqlTag): SqlExecutor {
  let open: Promise<void> | undefined
  const probe = async () => {
    // SAVEPOINT is refused outside a transaction block (25P01), without side effects.
    try {
      await execute(sql.raw('SAVEPOINT hookbox_in_transaction'))
    } catch (error) {
      if (errorCode(error) === '25P01') throw notInTransaction()
      throw error
    }
    await execute(sql.raw('RELEASE SAVEPOINT hookbox_in_transaction'))
  }
  return {
    async executeSql(text, values) {
      await (open ??= probe())
      const result = (await execute(statement(text, values))) as { rows: Array<Record<string, unknown>>; rowCount: number | null }
      return { rows: result.rows, ...(result.rowCount !== null && { affectedRows: result.rowCount }) }
    },
  }
}

function mysqlExecutor(execute: (query: unknown) => PromiseLike<unknown>, statement: Build, sql: DrizzleSqlTag): SqlExecutor {
  let open: Promise<void> | undefined
  const probe = async () => {
    const [ok] = (await execute(sql.raw('DO 0'))) as [unknown]
    refuseOutsideMysqlTransaction(ok, "the drizzle tx's transaction has ended (its connection would commit each statement on its own)")
  }
  return {
    async executeSql(text, values) {
      await (open ??= probe())
      const [result] = (await execute(statement(text, values))) as [unknown]
      return mysqlResult(result)
    },
  }
}

function sqliteExecutor(
  all: (query: unknown) => unknown,
  run: (query: unknown) => unknown,
  statement: Build,
  sql: DrizzleSqlTag,
): SyncSqlExecutor {
  let checked = false
  const probe = () => {
    // Inside a transaction SQLite refuses BEGIN; outside, the BEGIN it accepted is rolled back at once.
    try {
      run(sql.raw('BEGIN'))
    } catch (error) {
      if (/within a transaction/.test(errorText(error))) return
      throw error
    }
    run(sql.raw('ROLLBACK'))
    throw notInTransaction()
  }
  return {
    executeSqlSync(text, values): SqlResult {
      if (!checked) probe()
      checked = true
      const query = statement(text, values)
      if (returnsRows(text)) return { rows: all(query) as Array<Record<string, unknown>> }
      return { rows: [], affectedRows: (run(query) as { changes: number }).changes }
    },
  }
}

function notInTransaction(): InvalidTransactionError {
  return new InvalidTransactionError(
    "the drizzle tx's transaction has ended (its connection would commit each statement on its own): call notify inside db.transaction(), or omit `transaction`",
  )
}

/** The drizzle class names of `value` and its ancestors, e.g. `NodePgTransaction`, `PgTransaction`, `PgDatabase`. */
function entityKinds(value: unknown): string[] {
  const kinds: string[] = []
  if (typeof value !== 'object' || value === null) return kinds
  for (let c: unknown = value.constructor; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const kind = (c as unknown as Record<symbol, unknown>)[ENTITY_KIND]
    if (typeof kind === 'string' && Object.prototype.hasOwnProperty.call(c, ENTITY_KIND)) kinds.push(kind)
  }
  return kinds
}

/** The driver's error code, on the error or on its `cause` (drizzle wraps driver errors). */
function errorCode(error: unknown): unknown {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null
  return e?.code ?? e?.cause?.code
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } } | null
  return `${String(e?.message)} ${String(e?.cause?.message)}`
}
