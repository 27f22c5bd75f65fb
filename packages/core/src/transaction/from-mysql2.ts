import type { SqlExecutor } from './sql-executor.js'

/** The subset of a `mysql2/promise` `Connection` / `PoolConnection` the adapter uses. */
export interface Mysql2Connection {
  query(sql: string, values: unknown[]): Promise<[unknown, unknown]>
}

/**
 * Joins a mysql2 transaction: pass the promise-API connection between `beginTransaction()`
 * and `commit()`. mysql2 does not say whether a transaction is open; a store that must know
 * asks the server (`@@in_transaction`).
 */
export function fromMysql2(connection: Mysql2Connection): SqlExecutor {
  return {
    async executeSql(text, values) {
      const [result] = await connection.query(text, [...values])
      if (Array.isArray(result)) return { rows: result as Array<Record<string, unknown>> }
      return { rows: [], affectedRows: (result as { affectedRows?: number }).affectedRows ?? 0 }
    },
  }
}
