/**
 * The subset of a better-sqlite3 `Database` the store uses; any compatible driver fits.
 */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement
  exec(sql: string): unknown
  transaction<T>(fn: () => T): { (): T; immediate(): T }
  readonly inTransaction: boolean
  readonly open: boolean
  pragma(source: string, options?: { simple?: boolean }): unknown
  close(): unknown
}

/** The subset of a better-sqlite3 `Statement` the store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number }
  all(...params: unknown[]): unknown[]
  get(...params: unknown[]): unknown
  readonly reader: boolean
  /** Rows as arrays (better-sqlite3's raw mode); optional: without it rows are read as objects. */
  raw?(toggle: boolean): SqliteStatement
  /** The result columns, in order; optional, with {@link raw}. */
  columns?(): Array<{ name: string }>
}

/** Options of `sqliteStore`. */
export interface SqliteStoreConfig {
  /** The application's better-sqlite3 database: `notify` writes through it in its transactions. */
  database: SqliteDatabase
  /** Close the database when the outbox is closed (default false: the host owns it). */
  closeDatabase?: boolean
}
