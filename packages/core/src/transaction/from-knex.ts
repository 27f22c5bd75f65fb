import { InvalidTransactionError } from '../errors.js'
import { mysqlResult } from './from-mysql2.js'
import type { SqlExecutor, SqlResult } from './sql-executor.js'
import { splitPlaceholders } from './sql-text.js'

/** The subset of a knex `Transaction` (the `trx` of `knex.transaction(async (trx) => …)`) the adapter uses. */
export interface KnexTransaction {
  raw(sql: string, bindings: readonly unknown[]): PromiseLike<unknown>
  readonly isTransaction?: boolean
  isCompleted(): boolean
}

/** True for a knex transaction: a function object (knex's query builder) marked `isTransaction`. */
export function isKnexTransaction(handle: unknown): handle is KnexTransaction {
  const h = handle as Partial<Record<'raw' | 'isCompleted' | 'isTransaction', unknown>> | null
  return typeof handle === 'function' && typeof h?.raw === 'function' && typeof h.isCompleted === 'function' && h.isTransaction === true
}

/**
 * Joins a knex transaction on pg, mysql2 or better-sqlite3: pass the `trx` (a `notify` with
 * `transaction: trx` goes through this adapter by itself). Statements go through knex's public
 * `trx.raw(sql, bindings)` with `?` bindings (a Postgres statement's `$n` become `?`, and its
 * other `?` are escaped for knex). A `knex` instance that is not a transaction, and a `trx`
 * that has committed or rolled back (`trx.isCompleted()`), are refused with
 * {@link InvalidTransactionError}, nothing written.
 *
 * @example
 * ```ts
 * await knex.transaction(async (trx) => {
 *   await trx('orders').update({ state: 'paid' }).where({ id })
 *   await outbox.notify({ type: 'order.paid', payload: { id } }, { transaction: trx })
 * })
 * ```
 */
export function fromKnex(trx: KnexTransaction): SqlExecutor {
  if (trx.isTransaction !== true)
    throw new InvalidTransactionError('a knex instance is not a transaction: pass the trx of knex.transaction(), or omit `transaction`')
  return {
    async executeSql(text, values) {
      if (trx.isCompleted())
        throw new InvalidTransactionError(
          'the knex transaction has already committed or rolled back: call notify inside knex.transaction(), or omit `transaction`',
        )
      const { fragments, values: bindings, numbered } = splitPlaceholders(text, values)
      // knex turns `\?` back into `?` on Postgres only; elsewhere a `?` is always a placeholder.
      const parts = numbered ? fragments.map((f) => f.replaceAll('?', '\\?')) : fragments
      return knexResult(await trx.raw(parts.join('?'), bindings))
    },
  }
}

/** What `trx.raw` answered, by driver: pg's result, mysql2's `[rows | header, fields]`, better-sqlite3's rows or run info. */
function knexResult(result: unknown): SqlResult {
  if (Array.isArray(result)) {
    const [first] = result as unknown[]
    const mysql = result.length === 2 && (Array.isArray(first) || (typeof first === 'object' && first !== null && 'affectedRows' in first))
    return mysql ? mysqlResult(first) : { rows: result as Array<Record<string, unknown>> }
  }
  const r = result as { rows?: Array<Record<string, unknown>>; rowCount?: number | null; changes?: number }
  if (Array.isArray(r.rows)) return { rows: r.rows, ...(typeof r.rowCount === 'number' && { affectedRows: r.rowCount }) }
  return { rows: [], ...(typeof r.changes === 'number' && { affectedRows: r.changes }) }
}
