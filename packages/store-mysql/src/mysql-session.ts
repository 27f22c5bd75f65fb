import type { SqlResult } from '@hookbox/core'
import type { Kysely, MysqlPool, MysqlPoolConnection, MysqlQueryResult } from 'kysely'

/** SQL text and its parameters, as a compiled kysely query carries them. */
export interface SqlText {
  readonly sql: string
  readonly parameters: readonly unknown[]
}

/**
 * Where the store's statements run: a mysql2 pool, or a kysely instance the host gave. Queries
 * are still built with kysely either way; a session only runs their text.
 */
export interface MysqlSession {
  /** Runs one statement: its rows, and how many rows it matched for a write. */
  query(q: SqlText): Promise<SqlResult>
  /**
   * Runs `fn` in a transaction on one connection: committed when `fn` resolves, rolled back
   * when it throws. `isolation` sets the level of this transaction only.
   */
  transaction<T>(fn: (session: MysqlSession) => Promise<T>, isolation?: 'read committed'): Promise<T>
}

/** A session over a kysely instance (the host's `{ db }`: its plugins and log see every statement). */
export function kyselySession(db: Kysely<any>): MysqlSession {
  return {
    async query(q) {
      const r = await db.executeQuery(q as never)
      return { rows: r.rows as Array<Record<string, unknown>>, affectedRows: Number(r.numAffectedRows ?? 0) }
    },
    transaction(fn, isolation) {
      const begin = db.transaction()
      return (isolation ? begin.setIsolationLevel(isolation) : begin).execute((trx) => fn(kyselySession(trx)))
    },
  }
}

/**
 * A session straight on a mysql2 pool (the store's `{ pool }`): the same `query` calls kysely's
 * driver makes, without its executor, driver and result layers, which cost more CPU per
 * statement than the claim's and write-back's statements take to send (text protocol, no
 * prepared statements: many dispatchers would crowd `max_prepared_stmt_count`).
 */
export function poolSession(pool: MysqlPool): MysqlSession {
  return {
    query: (q) =>
      new Promise((resolve, reject) =>
        pool.getConnection((error, connection) => {
          if (error) return reject(error)
          connection.query(q.sql, q.parameters as unknown[], (error, result) => {
            connection.release()
            if (error) reject(error)
            else resolve(sqlResult(result))
          })
        }),
      ),
    async transaction<R>(fn: (session: MysqlSession) => Promise<R>, isolation?: 'read committed'): Promise<R> {
      const connection = await new Promise<MysqlPoolConnection>((resolve, reject) =>
        pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
      )
      const session = connectionSession(connection)
      let open = false
      try {
        if (isolation) await session.query({ sql: `SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`, parameters: [] })
        await session.query(BEGIN)
        open = true
        const result = await fn(session)
        await session.query(COMMIT)
        open = false
        return result
      } catch (error) {
        // A connection that may still be inside the transaction never goes back to the pool
        // (mysql2's release after destroy does nothing).
        if (
          open &&
          !(await session.query(ROLLBACK).then(
            () => true,
            () => false,
          ))
        )
          (connection as { destroy?: () => void }).destroy?.()
        throw error
      } finally {
        connection.release()
      }
    },
  }
}

const BEGIN: SqlText = { sql: 'BEGIN', parameters: [] }
const COMMIT: SqlText = { sql: 'COMMIT', parameters: [] }
const ROLLBACK: SqlText = { sql: 'ROLLBACK', parameters: [] }

/** Statements on one connection the transaction holds; no nested transaction is ever asked of it. */
function connectionSession(connection: MysqlPoolConnection): MysqlSession {
  return {
    query: (q) =>
      new Promise((resolve, reject) =>
        connection.query(q.sql, q.parameters as unknown[], (error, result) => (error ? reject(error) : resolve(sqlResult(result)))),
      ),
    transaction: () => Promise.reject(new Error('hookbox: the mysql store never nests transactions')),
  }
}

/** mysql2's result as core's: a select's rows, or a write's matched rows (its OK packet). */
function sqlResult(result: MysqlQueryResult): SqlResult {
  if (Array.isArray(result)) return { rows: result, affectedRows: 0 }
  return { rows: [], affectedRows: Number((result as { affectedRows?: unknown }).affectedRows ?? 0) }
}
