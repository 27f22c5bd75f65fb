import type { KyselyHandle } from './from-kysely.js'
import type { Mysql2Connection } from './from-mysql2.js'
import type { PgClient } from './from-pg.js'
import type { SqlExecutor, SyncSqlExecutor } from './sql-executor.js'

/**
 * A synchronous handle: a better-sqlite3 `Database` inside `db.transaction()`, or any
 * {@link SyncSqlExecutor}. `notify` writes through it before returning.
 */
export type SyncTransaction = { prepare(sql: string): unknown; readonly inTransaction: boolean } | SyncSqlExecutor

/**
 * A handle written through asynchronously: a kysely `Transaction` (a `Kysely` instance, which
 * is not one, does not compile), a pg `Client` / `PoolClient` after `BEGIN` (a `Pool` does not
 * compile), a `mysql2/promise` connection after `beginTransaction()` (not a pool), or any {@link SqlExecutor}
 * (what the ORM adapters return).
 */
export type AsyncTransaction =
  | (KyselyHandle & { readonly isTransaction: true })
  | (PgClient & { readonly totalCount?: never })
  | (Mysql2Connection & { beginTransaction(): Promise<void>; readonly getConnection?: never })
  | SqlExecutor

/** Every `transaction` that `notify`, `notifyMany` and `results.put` accept. */
export type TransactionHandle = SyncTransaction | AsyncTransaction

/**
 * What an operation returns for a `transaction` of type `T`: `R` itself for a
 * {@link SyncTransaction} (written before the call returns), `Promise<R>` for an
 * {@link AsyncTransaction} or none. When the type cannot tell (`any`, or a union of both kinds)
 * it is `R | Promise<R>`: `await` it, which is right for every handle.
 */
export type ResultFor<T, R> = 0 extends 1 & T
  ? R | Promise<R>
  : [T] extends [SyncTransaction]
    ? R
    : [T] extends [AsyncTransaction | undefined | null]
      ? Promise<R>
      : R | Promise<R>

/** The type of the `transaction` in an options object of type `O`; `undefined` when `O` has none. */
export type TransactionOf<O> = 'transaction' extends keyof O ? O['transaction' & keyof O] : undefined
