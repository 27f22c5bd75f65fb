import type { Kysely, MysqlPool } from 'kysely'

/**
 * A mysql2 pool: the callback pool from `mysql2`'s `createPool` (what kysely's `MysqlDialect`
 * takes), or the promise pool from `mysql2/promise`, whose callback pool is its `pool` field.
 */
export type Mysql2PoolLike = MysqlPool | { pool: MysqlPool }

/** Options of `mysqlStore`. Give exactly one of `pool` or `db`. */
export interface MysqlStoreConfig {
  /** A mysql2 pool; the store builds its kysely instance over it and never ends it. */
  pool?: Mysql2PoolLike
  /** A kysely instance on the `MysqlDialect`, instead of `pool`. The store never destroys it. */
  db?: Kysely<any>
  /**
   * The database (schema) holding the tables, when it is not the connection's default one.
   * It must exist; `migrate()` creates the tables in it.
   */
  database?: string
}
