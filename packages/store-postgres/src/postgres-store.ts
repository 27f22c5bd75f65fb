import {
  InvalidTransactionError,
  ValidationError,
  type CatalogStore,
  type EnqueueOutcome,
  type EnqueueRequest,
  type HostTransaction,
  type HousekeepingStore,
  type QueueStore,
  type SqlExecutor,
  type Store,
} from '@hookbox/core'
import { storeRoles } from '@hookbox/store-kysely'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { guardedPool } from './guarded-pool.js'
import { checkSchemaName, wakeChannel } from './identifiers.js'
import { listenForWakeUps } from './listen.js'
import { runMigrations } from './migrations/migrate.js'
import { PostgresExecutor } from './postgres-executor.js'
import type { PgListenClient, PostgresStoreConfig, WakeMode } from './postgres-store-config.js'
import { claimDeliveries } from './queries/claim.js'
import { deleteCollection, getCollection, listCollections, upsertCollection } from './queries/collections.js'
import { completeDeliveries } from './queries/complete.js'
import { deleteDeliveries } from './queries/delete-deliveries.js'
import { getDelivery, getMessage, listAttempts, listDeliveries } from './queries/deliveries.js'
import { setEndpointHealth } from './queries/endpoint-health.js'
import { deleteEndpoint, getEndpoint, getEndpointByName, insertEndpoint, listEndpoints, updateEndpoint } from './queries/endpoints.js'
import { leaseProbe } from './queries/lease-probe.js'
import { configVersion } from './queries/config-version.js'
import { enqueuePlanner, type EnqueueStatement } from './queries/enqueue.js'
import { expandMessages, type ExpandHint } from './queries/expand.js'
import { purgeFinished } from './queries/purge.js'
import { purgeTenant } from './queries/purge-tenant.js'
import { getResult, putResultQuery } from './queries/results.js'
import { readStats } from './queries/stats.js'
import { ensureTenant, getTenant, listTenants, upsertTenant } from './queries/tenants.js'
import { transitionDeliveries } from './queries/transition.js'
import type { HookboxDatabase } from './schema.js'
import { WakeCoalescer } from './wake-coalescer.js'

/**
 * The `Store` over PostgreSQL. Every dispatcher process may share one schema: expansion and
 * claims use `FOR UPDATE SKIP LOCKED`, leases carry a fencing token, and committed `notify`
 * calls wake listening dispatchers through LISTEN/NOTIFY. Build it with {@link postgresStore}.
 */
export class PostgresStore implements Store {
  readonly name = 'postgres'
  /**
   * 128 in flight by default: each claim and write-back is a commit on the server, so at 32 the
   * receiver sat idle while they ran (a 6,000 drain: 0.58x of the rate at 128, which 64 and 256
   * match within the noise).
   */
  readonly defaultConcurrency = 128
  /** Two write-backs at once, on two of the pool's connections (see `Store.writeBacksInFlight`). */
  readonly writeBacksInFlight = 2
  /** The schema holding the tables. */
  readonly schema: string
  /** The wake mode in use. */
  readonly wakeMode: WakeMode
  /** Kysely over the configured schema, for queries of your own against the store's tables. */
  readonly db: Kysely<HookboxDatabase>
  readonly queue: QueueStore
  readonly catalog: CatalogStore
  readonly housekeeping: HousekeepingStore
  readonly #root: Kysely<any>
  readonly #x: PostgresExecutor
  readonly #channel: string
  readonly #openListener: (() => Promise<PgListenClient>) | null
  readonly #maxBackoffMs: number
  readonly #unsubscribers = new Set<() => Promise<void>>()
  readonly #planQuiet: (request: EnqueueRequest) => EnqueueStatement
  readonly #planWaking: (request: EnqueueRequest) => EnqueueStatement
  readonly #coalesceMs: number
  readonly #coalescer: WakeCoalescer
  /** Whether the last expansion filled its batch (see `expandMessages`). */
  readonly #expandHint: ExpandHint = { full: false }

  constructor(config: PostgresStoreConfig) {
    if (!config || (!config.pool && !config.db))
      throw new ValidationError('postgresStore needs a pg Pool ({ pool }) or a kysely instance ({ db })')
    if (config.pool && config.db) throw new ValidationError('postgresStore takes either pool or db, not both')
    this.schema = checkSchemaName(config.schema ?? 'hookbox')
    this.wakeMode = config.wake ?? 'coalesced'
    if (!['notify', 'coalesced', 'poll'].includes(this.wakeMode))
      throw new ValidationError(`wake must be 'coalesced', 'notify' or 'poll', got ${JSON.stringify(config.wake)}`)
    this.#coalesceMs = config.coalesceMs ?? 50
    if (!(this.#coalesceMs >= 0)) throw new ValidationError(`coalesceMs must be >= 0, got ${config.coalesceMs}`)
    const quietMs = config.coalesceQuietMs ?? 2
    if (!(quietMs >= 0)) throw new ValidationError(`coalesceQuietMs must be >= 0, got ${config.coalesceQuietMs}`)
    this.#coalescer = new WakeCoalescer(this.#coalesceMs, quietMs)
    this.#root = config.db ?? new Kysely<any>({ dialect: new PostgresDialect({ pool: guardedPool(config.pool!) }) })
    this.db = this.#root.withSchema(this.schema) as Kysely<HookboxDatabase>
    const x = (this.#x = new PostgresExecutor(this.#root, this.schema, config.pool, config.preparedStatements ?? true))
    this.#channel = wakeChannel(this.schema)
    this.#maxBackoffMs = config.listenMaxBackoffMs ?? 30_000
    this.#openListener = listenerFactory(config)
    this.#planQuiet = enqueuePlanner(this.#root, this.schema, null)
    this.#planWaking = this.wakeMode === 'poll' ? this.#planQuiet : enqueuePlanner(this.#root, this.schema, this.#channel)
    const roles = storeRoles({
      enqueue: (request) => this.#enqueue(request),
      expand: (request) => expandMessages(x, request, this.#expandHint),
      claim: (request) => claimDeliveries(x, request),
      complete: ({ completions }) => completeDeliveries(x, completions),
      transition: (request) => transitionDeliveries(x, request),
      deleteDeliveries: (request) => deleteDeliveries(x, request),
      getDelivery: (request) => getDelivery(x, request),
      listDeliveries: (query) => listDeliveries(x, query),
      listAttempts: (request) => listAttempts(x, request),
      getMessage: (request) => getMessage(x, request),
      upsertCollection: (request) => upsertCollection(x, request),
      getCollection: (request) => getCollection(x, request),
      listCollections: () => listCollections(x),
      deleteCollection: (request) => deleteCollection(x, request),
      insertEndpoint: (request) => insertEndpoint(x, request),
      updateEndpoint: (request) => updateEndpoint(x, request),
      getEndpoint: (request) => getEndpoint(x, request),
      getEndpointByName: (request) => getEndpointByName(x, request),
      listEndpoints: (query) => listEndpoints(x, query),
      deleteEndpoint: (request) => deleteEndpoint(x, request),
      setEndpointHealth: (update) => setEndpointHealth(x, update),
      ensureTenant: (request) => ensureTenant(x, request),
      upsertTenant: (request) => upsertTenant(x, request),
      getTenant: (request) => getTenant(x, request),
      listTenants: () => listTenants(x),
      leaseProbe: (request) => leaseProbe(x, request),
      configVersion: () => configVersion(x),
      migrate: async () => void (await runMigrations(this.#root, this.schema)),
      purge: (options) => purgeFinished(x, options),
      stats: (request) => readStats(x, request),
      putResult: async ({ result, transaction }) => void (await x.run(putResultQuery(x, result), this.#executor(transaction))),
      getResult: (request) => getResult(x, request),
      purgeTenant: (request) => purgeTenant(x, request),
    })
    this.queue = {
      ...roles.queue,
      wake: () => this.#wake(),
      ...(this.wakeMode !== 'poll' &&
        this.#openListener && {
          subscribe: (onWake: () => void, onError?: (error: unknown) => void) => this.#subscribe(onWake, onError),
        }),
    }
    this.catalog = roles.catalog
    this.housekeeping = roles.housekeeping
  }

  /** The host's transaction, or the store's own connection; a synchronous handle cannot reach Postgres. */
  #executor(transaction: HostTransaction | undefined): SqlExecutor {
    if (!transaction) return this.#x.own
    if (transaction.sync) throw new InvalidTransactionError('the postgres store cannot write through a synchronous (SQLite) handle')
    return transaction.executor
  }

  async #enqueue(request: EnqueueRequest): Promise<EnqueueOutcome[]> {
    const executor = this.#executor(request.transaction)
    if (request.messages.length === 0) return []
    const plan = (this.#wakesNow() ? this.#planWaking : this.#planQuiet)(request)
    const result = await this.#x.run(plan.query, executor)
    return plan.outcomes(result.rows as never)
  }

  /** Sends a wake-up to every listening dispatcher now, outside any transaction (no-op in `poll` mode). */
  async #wake(): Promise<void> {
    if (this.wakeMode === 'poll') return
    await this.#x.rows(sql`SELECT pg_notify(${this.#channel}, '')`)
  }

  /** Whether this `notify()` carries a `pg_notify` (in `coalesced` mode, see {@link WakeCoalescer}). */
  #wakesNow(): boolean {
    if (this.wakeMode !== 'coalesced') return this.wakeMode === 'notify'
    return this.#coalescer.carries(performance.now())
  }

  /**
   * In `coalesced` mode the transactions that rode along with a wake-up may commit a little
   * after it: look again after two windows, and once more later, before the poll would.
   */
  #withFollowUps(onWake: () => void): () => void {
    let pending: NodeJS.Timeout[] = []
    return () => {
      onWake()
      if (pending.length) return
      pending = [2, 10].map((n) =>
        setTimeout(() => {
          onWake()
          if (n === 10) pending = []
        }, n * this.#coalesceMs).unref(),
      )
    }
  }

  async #subscribe(onWake: () => void, onError?: (error: unknown) => void): Promise<() => Promise<void>> {
    const stop = await listenForWakeUps({
      channel: this.#channel,
      open: this.#openListener!,
      onWake: this.wakeMode === 'coalesced' ? this.#withFollowUps(onWake) : onWake,
      ...(onError && { onError }),
      maxBackoffMs: this.#maxBackoffMs,
    })
    const unsubscribe = async () => {
      if (this.#unsubscribers.delete(unsubscribe)) await stop()
    }
    this.#unsubscribers.add(unsubscribe)
    return unsubscribe
  }

  /** Closes LISTEN connections; the pool or kysely instance stays the caller's to end. */
  async close(): Promise<void> {
    await Promise.all([...this.#unsubscribers].map((u) => u()))
  }
}

/** How to open a LISTEN connection for this configuration, or null when there is no way. */
function listenerFactory(config: PostgresStoreConfig): (() => Promise<PgListenClient>) | null {
  if (config.listenClient) {
    const open = config.listenClient
    return async () => open()
  }
  if (config.listenConnectionString) {
    const connectionString = config.listenConnectionString
    const PoolClient = config.pool?.Client
    return async () => {
      if (PoolClient) return new PoolClient({ connectionString })
      const pg = await import('pg')
      return new pg.default.Client({ connectionString }) as unknown as PgListenClient
    }
  }
  const pool = config.pool
  if (pool?.Client) {
    const Client = pool.Client
    return async () => new Client(pool.options)
  }
  return null
}
