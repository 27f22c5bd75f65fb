import {
  andThen,
  InvalidTransactionError,
  type CatalogStore,
  type EnqueueOutcome,
  type EnqueueRequest,
  type HostTransaction,
  type HousekeepingStore,
  type PutResultRequest,
  type QueueStore,
  type Store,
} from '@hookbox/core'
import type { CompiledQuery } from 'kysely'
import { drive, enqueueMessages, sharedOperations, SkipHints, storeRoles, type Exec, type KyselyDialect } from '@hookbox/store-kysely'
import { runMigrations } from './migrations/migrate.js'
import { claimDeliveries } from './queries/claim.js'
import { completeDeliveries } from './queries/complete.js'
import { expandMessages } from './queries/expand.js'
import { putResultQuery } from './queries/results.js'
import { purgeTenant } from './queries/purge-tenant.js'
import { sqliteDialect } from './sqlite-dialect.js'
import type { SqliteDatabase, SqliteStoreConfig } from './sqlite-store-config.js'
import { migrationChecked, migrationError, SyncExecutor } from './sync-executor.js'

/** Hookbox's `Store` on SQLite through better-sqlite3, queries built with kysely. Build it with `sqliteStore`. */
export class SqliteStore implements Store {
  readonly name = 'sqlite'
  readonly queue: QueueStore
  readonly catalog: CatalogStore
  readonly housekeeping: HousekeepingStore
  readonly #x: SyncExecutor
  readonly #d: KyselyDialect
  readonly #db: SqliteDatabase
  readonly #config: SqliteStoreConfig

  constructor(config: SqliteStoreConfig) {
    this.#config = config
    this.#db = config.database
    const x = (this.#x = new SyncExecutor(config.database))
    // Another process writing the same file should make us wait briefly, not fail at once.
    if (this.#db.pragma('busy_timeout', { simple: true }) === 0) this.#db.pragma('busy_timeout = 5000')
    const d = (this.#d = sqliteDialect(x))
    const hints = new SkipHints()
    const roles = storeRoles(
      {
        ...sharedOperations(d),
        enqueue: (request) => this.#enqueue(request),
        expand: (request) => expandMessages(d, request),
        claim: (request) => claimDeliveries(x, d, request, hints),
        complete: ({ completions }) => completeDeliveries(x, completions),
        migrate: () => void runMigrations(x),
        purgeTenant: (request) => purgeTenant(x, request),
        putResult: (request) => this.#putResult(request),
      },
      { write: (fn) => this.#idle(fn), read: async (fn) => fn() },
    )
    this.queue = roles.queue
    this.catalog = roles.catalog
    this.housekeeping = roles.housekeeping
  }

  /**
   * Runs a store operation once no host transaction is open on the shared connection, so our
   * writes never become part of a host's async (kysely) transaction.
   */
  async #idle<T>(fn: () => T | Promise<T>): Promise<T> {
    while (this.#db.inTransaction) await new Promise((r) => setTimeout(r, 2))
    return fn()
  }

  /** How a statement runs: through the host's transaction, or on our connection in our own transaction. */
  #runner(transaction: HostTransaction | undefined): Exec {
    if (!transaction) return (q) => this.#x.exec(q)
    if (transaction.sync) {
      const { executor } = transaction
      return (q) => migrationChecked(() => executor.executeSqlSync(q.sql, q.parameters))
    }
    const { executor } = transaction
    return (q: CompiledQuery) => executor.executeSql(q.sql, q.parameters).catch((error: unknown) => Promise.reject(migrationError(error)))
  }

  /** Writes on our own: refused while a host transaction is open on this connection (it would swallow the write). */
  #own<T>(write: () => T): Promise<T> {
    if (this.#db.inTransaction)
      return Promise.reject(
        new InvalidTransactionError(
          'a transaction is open on the outbox database: pass it as { transaction: db } so the event commits (or rolls back) with it',
        ),
      )
    return this.#idle(() => this.#x.tx(write))
  }

  #enqueue(request: EnqueueRequest): EnqueueOutcome[] | Promise<EnqueueOutcome[]> {
    const run = this.#runner(request.transaction)
    if (request.transaction) return drive(enqueueMessages(this.#d, request), run)
    // Our own connection is synchronous: the plan runs to its end inside the IMMEDIATE transaction.
    return this.#own(() => drive(enqueueMessages(this.#d, request), run) as EnqueueOutcome[])
  }

  #putResult({ result, transaction }: PutResultRequest): void | Promise<void> {
    const query = putResultQuery(this.#d, result)
    if (transaction) return andThen(this.#runner(transaction)(query), () => undefined)
    return this.#own(() => void this.#x.exec(query))
  }

  async close(): Promise<void> {
    if (this.#config.closeDatabase && this.#db.open) this.#db.close()
  }
}
