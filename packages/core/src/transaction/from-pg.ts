import { createHash } from 'node:crypto'
import { InvalidTransactionError } from '../errors.js'
import type { SqlExecutor } from './sql-executor.js'

/** The subset of a pg `Client` / `PoolClient` the adapter uses. */
export interface PgClient {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number | null }>
  /** `'T'` inside a transaction block, `'I'` idle, `'E'` in a failed transaction (pg >= 8.14). */
  getTransactionStatus?(): string | null
}

/** Options of {@link fromPg}. */
export interface FromPgOptions {
  /**
   * Name each statement by a hash of its text, so Postgres parses and plans it once per
   * connection (default true). Turn off behind PgBouncer in transaction mode older than 1.21.
   */
  preparedStatements?: boolean
  /** Accept a client outside a transaction block or a pool (stores, for their own connection). */
  outsideTransaction?: boolean
}

/**
 * Statement names by text, shared by every executor: `notify` makes one per host transaction,
 * and hashing its text each time was a fifth of its JavaScript work. Bounded, as a store's texts are.
 */
const names = new Map<string, string>()

/** The prepared statement's name for `text`: a hash of it, so every connection agrees. */
function nameOf(text: string): string {
  let name = names.get(text)
  if (!name) {
    name = `hookbox_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
    if (names.size > 500) names.clear()
    names.set(text, name)
  }
  return name
}

/** True for a `pg.Pool`: it hands each query to whichever client is free, so it holds no transaction. */
export function isPgPool(handle: object): boolean {
  const h = handle as { totalCount?: unknown; idleCount?: unknown }
  return typeof h.totalCount === 'number' && typeof h.idleCount === 'number'
}

/**
 * Joins a pg transaction: pass the client (from `pool.connect()`) between `BEGIN` and
 * `COMMIT`. Refused with {@link InvalidTransactionError}, nothing written: a `Pool`, and a
 * client whose `getTransactionStatus()` is not `'T'` (idle, after `ROLLBACK`, or failed).
 */
export function fromPg(client: PgClient, options: FromPgOptions = {}): SqlExecutor {
  const strict = !options.outsideTransaction
  if (strict && isPgPool(client))
    throw new InvalidTransactionError(
      'a pg Pool is not a transaction: pass the client from pool.connect() after BEGIN, or omit `transaction`',
    )
  const prepared = options.preparedStatements ?? true
  return {
    async executeSql(text, values) {
      if (strict && client.getTransactionStatus && client.getTransactionStatus() !== 'T')
        throw new InvalidTransactionError(
          'the pg client is not inside a transaction (run BEGIN first; after COMMIT or ROLLBACK start a new one), or omit `transaction`',
        )
      const result = await client.query({ text, values: [...values], ...(prepared && { name: nameOf(text) }) })
      return { rows: result.rows as Array<Record<string, unknown>>, ...(result.rowCount !== null && { affectedRows: result.rowCount }) }
    },
  }
}
