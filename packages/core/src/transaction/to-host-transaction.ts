import { InvalidTransactionError } from '../errors.js'
import { fromBetterSqlite3, type BetterSqlite3Database } from './from-better-sqlite3.js'
import { fromKnex, isKnexTransaction } from './from-knex.js'
import { fromKysely, type KyselyHandle } from './from-kysely.js'
import { fromMysql2, type Mysql2Connection } from './from-mysql2.js'
import { fromPg, isPgPool, type PgClient } from './from-pg.js'
import { fromPrisma, isPrismaClient } from './from-prisma.js'
import type { HostTransaction, SqlExecutor, SyncSqlExecutor } from './sql-executor.js'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
const has = (value: Record<string, unknown>, method: string) => typeof value[method] === 'function'

/**
 * Classifies the `transaction` a caller handed to `notify` or `results.put`, once, for the
 * store: an object with `executeSqlSync` or `executeSql` is used as it is; a better-sqlite3
 * `Database`, a kysely `Transaction`, a pg client, a mysql2 promise connection, a knex
 * `Transaction` and a Prisma interactive-transaction client go through their adapter (which
 * refuses a handle outside a transaction); a drizzle `tx` needs {@link fromDrizzle} (it takes
 * drizzle's `sql` tag). `undefined` means the store
 * writes on its own. Anything else throws {@link InvalidTransactionError}.
 */
export function toHostTransaction(handle: unknown): HostTransaction | undefined {
  if (handle === undefined || handle === null) return undefined
  if (isKnexTransaction(handle)) return { sync: false, executor: fromKnex(handle) }
  if (!isObject(handle)) throw unknownHandle()
  if (has(handle, 'executeSqlSync')) return { sync: true, executor: handle as unknown as SyncSqlExecutor }
  if (has(handle, 'executeSql')) return { sync: false, executor: handle as unknown as SqlExecutor }
  if (has(handle, 'prepare') && typeof handle.inTransaction === 'boolean')
    return { sync: true, executor: fromBetterSqlite3(handle as unknown as BetterSqlite3Database) }
  if (has(handle, 'executeQuery') && typeof handle.isTransaction === 'boolean')
    return { sync: false, executor: fromKysely(handle as unknown as KyselyHandle) }
  if (isPgPool(handle) || (has(handle, 'query') && has(handle, 'getTransactionStatus')))
    return { sync: false, executor: fromPg(handle as unknown as PgClient) }
  // mysql2's promise wrapper keeps the callback connection as `connection`; the callback API itself is not supported.
  if (has(handle, 'query') && has(handle, 'beginTransaction') && isObject(handle.connection))
    return { sync: false, executor: fromMysql2(handle as unknown as Mysql2Connection) }
  if (isPrismaClient(handle)) return { sync: false, executor: fromPrisma(handle) }
  if (has(handle, 'rollback') && (has(handle, 'execute') || has(handle, 'all')))
    throw new InvalidTransactionError(
      'a drizzle tx needs its adapter: pass `transaction: fromDrizzle(tx, sql)` with `sql` from drizzle-orm',
    )
  throw unknownHandle()
}

/** True when `handle` is one `notify` writes through synchronously (so it returns at once). */
export function isSyncHandle(handle: unknown): boolean {
  return isObject(handle) && (has(handle, 'executeSqlSync') || (has(handle, 'prepare') && typeof handle.inTransaction === 'boolean'))
}

function unknownHandle(): InvalidTransactionError {
  return new InvalidTransactionError(
    '`transaction` must be a better-sqlite3 Database inside db.transaction(), a kysely Transaction, a pg client after BEGIN, ' +
      'a mysql2 promise connection after beginTransaction(), a knex trx, a Prisma tx, fromDrizzle(tx, sql), ' +
      'or an object with executeSql / executeSqlSync',
  )
}
