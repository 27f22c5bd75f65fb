import { InvalidTransactionError } from '@hookbox/core'
import type { CompiledQuery } from 'kysely'
import type { SqliteDatabase } from './sqlite-store-config.js'

/** A kysely `Kysely` or `Transaction`, described by the one method the store calls. */
export interface KyselyHandle {
  executeQuery<R>(query: CompiledQuery<R>): Promise<{ rows: R[]; numAffectedRows?: bigint }>
}

/** Which kind of handle `notify` was given. */
export type Handle = { kind: 'sync'; db: SqliteDatabase } | { kind: 'kysely'; trx: KyselyHandle } | { kind: 'own' }

export function isSyncHandle(h: unknown): h is SqliteDatabase {
  return !!h && typeof (h as SqliteDatabase).prepare === 'function' && typeof (h as SqliteDatabase).inTransaction === 'boolean'
}

/** Recognises a better-sqlite3 Database or a kysely handle; anything else is a typed error. */
export function classifyHandle(h: unknown): Handle {
  if (h === undefined || h === null) return { kind: 'own' }
  if (isSyncHandle(h)) return { kind: 'sync', db: h }
  if (typeof (h as KyselyHandle).executeQuery === 'function') return { kind: 'kysely', trx: h as KyselyHandle }
  throw new InvalidTransactionError(
    'sqliteStore: transaction must be a better-sqlite3 Database (inside db.transaction()) or a kysely Transaction',
  )
}
