import { InvalidTransactionError } from '../errors.js'
import type { SqlExecutor, SqlResult } from './sql-executor.js'

/** The subset of a `mysql2/promise` `Connection` / `PoolConnection` the adapter uses. */
export interface Mysql2Connection {
  query(sql: string, values: unknown[]): Promise<[unknown, unknown]>
}

/** Bits of the server status every OK packet carries (same on MySQL and MariaDB). */
const IN_TRANSACTION = 0x0001
const AUTOCOMMIT = 0x0002

/**
 * Joins a mysql2 transaction: pass the promise-API connection between `beginTransaction()`
 * and `commit()`. mysql2 does not track whether a transaction is open, so before the first
 * statement the adapter asks the server with a no-op (`DO 0`) and reads the status flags of
 * its answer: a connection with no open transaction and autocommit on (idle, after `commit()`
 * or `rollback()`) is refused with {@link InvalidTransactionError}, nothing written. These
 * flags are part of the protocol on MySQL 8 and MariaDB alike (MariaDB's `@@in_transaction`
 * says the same; MySQL 8 has no such variable). One round trip per `notify`.
 */
export function fromMysql2(connection: Mysql2Connection): SqlExecutor {
  let open: Promise<void> | undefined
  return {
    async executeSql(text, values) {
      await (open ??= inTransaction(connection))
      const [result] = await connection.query(text, [...values])
      return mysqlResult(result)
    },
  }
}

async function inTransaction(connection: Mysql2Connection): Promise<void> {
  const [result] = await connection.query('DO 0', [])
  refuseOutsideMysqlTransaction(
    result,
    'the mysql2 connection is not inside a transaction: call beginTransaction() first (and again after commit() or rollback())',
  )
}

/**
 * Throws {@link InvalidTransactionError} when the OK packet of a no-op (`DO 0`) says the
 * connection has no open transaction and autocommit on. Shared by the mysql2 and drizzle adapters.
 */
export function refuseOutsideMysqlTransaction(okPacket: unknown, message: string): void {
  const status = (okPacket as { serverStatus?: number } | null)?.serverStatus ?? 0
  if (!(status & IN_TRANSACTION) && status & AUTOCOMMIT) throw new InvalidTransactionError(`${message}, or omit \`transaction\``)
}

/** What mysql2 answered (rows, or a `ResultSetHeader` for a write) as a {@link SqlResult}. */
export function mysqlResult(result: unknown): SqlResult {
  if (Array.isArray(result)) return { rows: result as Array<Record<string, unknown>> }
  return { rows: [], affectedRows: (result as { affectedRows?: number }).affectedRows ?? 0 }
}
