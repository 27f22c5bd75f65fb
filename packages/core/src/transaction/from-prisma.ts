import { InvalidTransactionError } from '../errors.js'
import type { SqlExecutor } from './sql-executor.js'
import { returnsRows } from './sql-text.js'

/**
 * The subset of a Prisma interactive-transaction client (the `tx` of
 * `prisma.$transaction(async (tx) => …)`) the adapter uses.
 */
export interface PrismaTransactionClient {
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>
}

/** True for a Prisma client or transaction client (it has the raw SQL methods). */
export function isPrismaClient(handle: unknown): handle is PrismaTransactionClient {
  const h = handle as Partial<Record<'$queryRawUnsafe' | '$executeRawUnsafe', unknown>> | null
  return typeof h?.$queryRawUnsafe === 'function' && typeof h.$executeRawUnsafe === 'function'
}

/**
 * Joins a Prisma interactive transaction (with a driver adapter: `@prisma/adapter-pg`,
 * `@prisma/adapter-mariadb`, `@prisma/adapter-better-sqlite3`): pass the `tx` (a `notify` with
 * `transaction: tx` goes through this adapter by itself). Statements go through
 * `tx.$queryRawUnsafe` (those that return rows) and `tx.$executeRawUnsafe`, with the store's
 * placeholders, which are Prisma's for each database. The top-level `PrismaClient` is refused
 * with {@link InvalidTransactionError} (each statement would commit on its own); a `tx` whose
 * transaction has ended is refused by Prisma (`P2028`, rethrown as {@link InvalidTransactionError}),
 * nothing written.
 *
 * @example
 * ```ts
 * await prisma.$transaction(async (tx) => {
 *   await tx.order.update({ where: { id }, data: { state: 'paid' } })
 *   await outbox.notify({ type: 'order.paid', payload: { id } }, { transaction: tx })
 * })
 * ```
 */
export function fromPrisma(tx: PrismaTransactionClient): SqlExecutor {
  // Prisma hides $connect, $disconnect, $on and $extends on an interactive transaction's client.
  if (typeof (tx as { $connect?: unknown }).$connect === 'function')
    throw new InvalidTransactionError(
      'a PrismaClient is not a transaction: pass the tx of prisma.$transaction(async (tx) => …), or omit `transaction`',
    )
  return {
    async executeSql(text, values) {
      try {
        if (returnsRows(text)) return { rows: (await tx.$queryRawUnsafe(text, ...values)) as Array<Record<string, unknown>> }
        return { rows: [], affectedRows: Number(await tx.$executeRawUnsafe(text, ...values)) }
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === TRANSACTION_CLOSED)
          throw new InvalidTransactionError(
            "the Prisma tx's transaction has ended: call notify inside prisma.$transaction(), or omit `transaction`",
            { cause: error },
          )
        throw error
      }
    },
  }
}

/** Prisma's "Transaction API error" code: the interactive transaction has committed, rolled back or timed out. */
const TRANSACTION_CLOSED = 'P2028'
