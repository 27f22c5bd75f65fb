import {
  InvalidTransactionError,
  ValidationError,
  type CatalogStore,
  type EnqueueOutcome,
  type EnqueueRequest,
  type HostTransaction,
  type HousekeepingStore,
  type PutResultRequest,
  type QueueStore,
  type Store,
} from '@hookbox/core'
import { drive, enqueueMessages, sharedOperations, SkipHints, storeRoles, type Exec, type KyselyDialect } from '@hookbox/store-kysely'
import { Kysely, MysqlDialect, type MysqlPool } from 'kysely'
import { runMigrations } from './migrations/migrate.js'
import { migrationError, MysqlExecutor } from './mysql-executor.js'
import type { Mysql2PoolLike, MysqlStoreConfig } from './mysql-store-config.js'
import { mysqlDialect } from './mysql-dialect.js'
import { poolSession } from './mysql-session.js'
import { claimDeliveries } from './queries/claim.js'
import { completeDeliveries } from './queries/complete.js'
import { expandMessages } from './queries/expand.js'
import { purgeTenant } from './queries/purge-tenant.js'
import { putResultQuery } from './queries/results.js'
import type { HookboxMysqlSchema } from './schema.js'

const DATABASE = /^[A-Za-z0-9_]{1,64}$/

/**
 * Hookbox's `Store` on MySQL 8 or MariaDB >= 10.6 through mysql2, queries built with kysely.
 * Every dispatcher process may share one database: expansion and claims use
 * `FOR UPDATE SKIP LOCKED` and leases carry a fencing token. There is no LISTEN: dispatchers
 * in other processes find new work on their poll. Build it with `mysqlStore`.
 */
export class MysqlStore implements Store {
  readonly name = 'mysql'
  /** 128 in flight by default, as on Postgres: claims and write-backs are commits on the server (a 4,000 drain on MariaDB: 0.58x at 32). */
  readonly defaultConcurrency = 128
  readonly queue: QueueStore
  readonly catalog: CatalogStore
  readonly housekeeping: HousekeepingStore
  /** Kysely over the store's tables, for queries of your own against them. */
  readonly db: Kysely<HookboxMysqlSchema>
  readonly #x: MysqlExecutor
  readonly #d: KyselyDialect
  /** Whether the last expansion took a full batch: the next one skips its look-up. */
  #expandedFull = false

  constructor(config: MysqlStoreConfig) {
    if (!config || (!config.pool && !config.db))
      throw new ValidationError('mysqlStore needs a mysql2 pool ({ pool }) or a kysely instance ({ db })')
    if (config.pool && config.db) throw new ValidationError('mysqlStore takes either pool or db, not both')
    if (config.database !== undefined && !DATABASE.test(config.database))
      throw new ValidationError(`database must be 1-64 letters, digits or underscores, got ${JSON.stringify(config.database)}`)
    const pool = config.pool && callbackPool(config.pool)
    const root = config.db ?? new Kysely<any>({ dialect: new MysqlDialect({ pool: pool! }) })
    // On a pool the store's own statements skip kysely's execution layers; the host's `db` keeps them (its plugins and log).
    const x = (this.#x = new MysqlExecutor(root, config.database, pool && poolSession(pool)))
    this.db = x.qb
    const d = (this.#d = mysqlDialect(x))
    const hints = new SkipHints()
    const roles = storeRoles({
      ...sharedOperations(d),
      enqueue: (request) => this.#enqueue(request),
      expand: async (request) => {
        const result = await expandMessages(x, d, request, !this.#expandedFull)
        this.#expandedFull = result.expanded === request.limit
        return result
      },
      claim: (request) => claimDeliveries(x, d, request, hints),
      complete: ({ completions }) => completeDeliveries(x, completions),
      migrate: async () => void (await runMigrations(x)),
      purgeTenant: (request) => purgeTenant(d, request),
      putResult: (request) => this.#putResult(request),
    })
    this.queue = roles.queue
    this.catalog = roles.catalog
    this.housekeeping = roles.housekeeping
  }

  /** How a statement runs through the host's transaction (always asynchronous here). */
  #runner(transaction: HostTransaction): Exec {
    if (transaction.sync)
      throw new InvalidTransactionError(
        'the mysql store cannot join a synchronous transaction: pass a kysely Transaction or a mysql2 connection',
      )
    const { executor } = transaction
    return (q) =>
      executor.executeSql(q.sql, q.parameters).catch((error: unknown) => {
        throw migrationError(error)
      })
  }

  async #enqueue(request: EnqueueRequest): Promise<EnqueueOutcome[]> {
    const plan = enqueueMessages(this.#d, request)
    if (request.transaction) return drive(plan, this.#runner(request.transaction))
    // One message without a key is one INSERT: atomic on its own, no transaction needed.
    const [only, ...rest] = request.messages
    if (only && rest.length === 0 && only.idempotencyKey === null) return drive(plan, this.#d.exec)
    return this.#d.transaction(plan)
  }

  async #putResult({ result, transaction }: PutResultRequest): Promise<void> {
    const query = putResultQuery(this.#d, result)
    await (transaction ? this.#runner(transaction)(query) : this.#x.exec(query))
  }

  /** Nothing to release: the pool or kysely instance stays the caller's to end. */
  async close(): Promise<void> {}
}

/** The callback pool kysely's `MysqlDialect` drives: a `mysql2/promise` pool keeps it in `pool`. */
function callbackPool(pool: Mysql2PoolLike): MysqlPool {
  const inner = (pool as { pool?: MysqlPool }).pool
  return inner && typeof inner.getConnection === 'function' ? inner : (pool as MysqlPool)
}
