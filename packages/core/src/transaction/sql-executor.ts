/** What a statement returned: its rows (empty for a write without RETURNING) and, when the driver says, how many rows it changed. */
export interface SqlResult {
  rows: Array<Record<string, unknown>>
  affectedRows?: number
}

/**
 * Runs one SQL statement with positional parameters, asynchronously, inside the host's open
 * transaction (pg-boss's `{ executeSql }` shape). Adapters for common drivers are
 * {@link fromKysely}, {@link fromPg} and {@link fromMysql2}; an ORM plugs in by implementing this.
 */
export interface SqlExecutor {
  executeSql(text: string, values: readonly unknown[]): Promise<SqlResult>
}

/**
 * Runs one SQL statement synchronously (better-sqlite3): `notify` through it writes before it
 * returns. See {@link fromBetterSqlite3}.
 */
export interface SyncSqlExecutor {
  executeSqlSync(text: string, values: readonly unknown[]): SqlResult
}

/**
 * A host transaction as core hands it to a store, classified once by {@link toHostTransaction}:
 * a store never inspects the caller's handle itself.
 */
export type HostTransaction = { sync: true; executor: SyncSqlExecutor } | { sync: false; executor: SqlExecutor }
