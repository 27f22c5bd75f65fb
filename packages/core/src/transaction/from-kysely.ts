import { randomUUID } from 'node:crypto'
import { InvalidTransactionError } from '../errors.js'
import type { SqlExecutor } from './sql-executor.js'

/** A raw compiled query in kysely's shape, built without importing kysely. */
interface RawCompiledQuery {
  sql: string
  parameters: readonly unknown[]
  query: { kind: 'RawNode'; sqlFragments: readonly string[]; parameters: readonly never[] }
  queryId: { queryId: string }
}

/** The subset of a kysely `Kysely` or `Transaction` the adapter uses. */
export interface KyselyHandle {
  executeQuery(query: RawCompiledQuery): Promise<{ rows: unknown[]; numAffectedRows?: bigint }>
  readonly isTransaction: boolean
}

/** Options of {@link fromKysely}. */
export interface FromKyselyOptions {
  /**
   * Accept a `Kysely` instance that is not a transaction (each statement then commits on its
   * own). Stores use it for their own connection; a host passing `transaction` never needs it.
   */
  outsideTransaction?: boolean
}

/**
 * Joins a kysely transaction: pass the `Transaction` that `db.transaction().execute()` hands
 * you. A `Kysely` instance that is not a transaction is refused with
 * {@link InvalidTransactionError} before anything is written.
 */
export function fromKysely(handle: KyselyHandle, options: FromKyselyOptions = {}): SqlExecutor {
  if (!options.outsideTransaction && handle.isTransaction !== true)
    throw new InvalidTransactionError(
      'a Kysely instance is not a transaction: pass the Transaction from db.transaction().execute(), or omit `transaction`',
    )
  return {
    async executeSql(text, values) {
      const result = await handle.executeQuery({
        sql: text,
        parameters: values,
        query: { kind: 'RawNode', sqlFragments: [text], parameters: [] },
        queryId: { queryId: randomUUID() },
      })
      const rows = result.rows as Array<Record<string, unknown>>
      return result.numAffectedRows === undefined ? { rows } : { rows, affectedRows: Number(result.numAffectedRows) }
    },
  }
}
