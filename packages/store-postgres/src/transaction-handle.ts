import { InvalidTransactionError } from '@hookbox/core'
import type { CompiledQuery, Kysely } from 'kysely'

/** A pg client or pool as `notify` writes through it. */
export interface PgClientHandle {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>
}

/**
 * Runs one compiled query and returns its rows. `name`, when given, makes it a named prepared
 * statement on a pg client (parsed and planned once per connection); kysely handles ignore it.
 */
export type RunQuery = <R>(query: CompiledQuery<R>, name?: string) => Promise<R[]>

/** A kysely `Kysely` or `Transaction`, recognised by shape. */
interface KyselyHandle {
  executeQuery<R>(query: CompiledQuery<R>): Promise<{ rows: R[] }>
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isKysely(value: unknown): value is KyselyHandle {
  return isObject(value) && typeof value.executeQuery === 'function' && typeof value.insertInto === 'function'
}

function isPgPool(value: Record<string, unknown>): boolean {
  return typeof value.totalCount === 'number' && typeof value.idleCount === 'number'
}

function isPgClient(value: unknown): value is PgClientHandle {
  return isObject(value) && typeof value.query === 'function' && !('executeQuery' in value) && !isPgPool(value)
}

/**
 * Picks how `notify` writes: through a kysely transaction (or instance), through a pg client
 * the caller opened with `BEGIN`, or, with no handle, through the store's own pool (the
 * statement then commits on its own; `ownPool` is the pg pool when the store was given one). Anything else throws {@link InvalidTransactionError}.
 */
export function queryRunnerFor(transaction: unknown, own: Kysely<any>, ownPool?: PgClientHandle): RunQuery {
  if (transaction === undefined || transaction === null) {
    if (ownPool) return async (q, name) => (await ownPool.query({ text: q.sql, values: [...q.parameters], name })).rows as never
    return async (q) => (await own.executeQuery(q)).rows
  }
  if (isKysely(transaction)) return async (q) => (await transaction.executeQuery(q)).rows
  if (isPgClient(transaction))
    return async (q, name) => (await transaction.query({ text: q.sql, values: [...q.parameters], name })).rows as never
  if (isObject(transaction) && isPgPool(transaction))
    throw new InvalidTransactionError(
      'a pg Pool is not a transaction: pass the client from pool.connect() after BEGIN, or a kysely Transaction',
    )
  throw new InvalidTransactionError(
    'the postgres store accepts a kysely Transaction (or Kysely instance) or a pg Client/PoolClient inside BEGIN as `transaction`',
  )
}
