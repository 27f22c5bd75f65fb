import { InvalidTransactionError } from '../errors.js'
import type { SyncSqlExecutor } from './sql-executor.js'

/** The subset of a better-sqlite3 `Database` the adapter uses. */
export interface BetterSqlite3Database {
  prepare(sql: string): BetterSqlite3Statement
  readonly inTransaction: boolean
}

/** The subset of a better-sqlite3 `Statement` the adapter uses. */
export interface BetterSqlite3Statement {
  run(...params: unknown[]): { changes: number }
  all(...params: unknown[]): unknown[]
  readonly reader: boolean
}

/** One executor per database, so its prepared statements outlive a single `notify`. */
const executors = new WeakMap<BetterSqlite3Database, SyncSqlExecutor>()

/**
 * Joins a better-sqlite3 transaction: pass the `Database` while a `db.transaction()` function
 * runs. Statements are prepared once per text and kept. Every statement refuses, with
 * {@link InvalidTransactionError} and nothing written, when no transaction is open (a write
 * would otherwise commit on its own, apart from the host's change).
 */
export function fromBetterSqlite3(db: BetterSqlite3Database): SyncSqlExecutor {
  let executor = executors.get(db)
  if (executor) return executor
  const statements = new Map<string, BetterSqlite3Statement>()
  executor = {
    executeSqlSync(text, values) {
      if (!db.inTransaction)
        throw new InvalidTransactionError(
          'the better-sqlite3 database has no open transaction: call notify inside db.transaction(), or omit `transaction`',
        )
      let statement = statements.get(text)
      if (!statement) {
        statement = db.prepare(text)
        if (statements.size > 500) statements.clear()
        statements.set(text, statement)
      }
      if (statement.reader) return { rows: statement.all(...values) as Array<Record<string, unknown>> }
      return { rows: [], affectedRows: statement.run(...values).changes }
    },
  }
  executors.set(db, executor)
  return executor
}
