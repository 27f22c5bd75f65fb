import type {
  AttemptRecord,
  Claim,
  ClaimOptions,
  CollectionRecord,
  Completion,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryState,
  EndpointQuery,
  EndpointHealth,
  EndpointRecord,
  EnqueueOutcome,
  EnqueueRequest,
  MessageRecord,
  Planner,
  PurgeCounts,
  ResultRecord,
  Store,
  StoreStats,
} from '@hookbox/core'
import { ValidationError } from '@hookbox/core'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { checkSchemaName, wakeChannel } from './identifiers.js'
import { listenForWakeUps } from './listen.js'
import { runMigrations } from './migrations/migrate.js'
import type { PgListenClient, PostgresStoreConfig, WakeMode } from './postgres-store-config.js'
import { claimDeliveries } from './queries/claim.js'
import { completeDeliveries } from './queries/complete.js'
import { enqueuePlanner, type EnqueuePlan } from './queries/enqueue.js'
import { expandMessages } from './queries/expand.js'
import { purgeFinished, type PurgeOptions } from './queries/purge.js'
import { readStats } from './queries/stats.js'
import { fromCollection, fromEndpoint, jsonOrNull, toAttempt, toCollection, toDelivery, toEndpoint, toMessage, toResult } from './rows.js'
import type { HookboxDatabase } from './schema.js'
import { queryRunnerFor, type PgClientHandle } from './transaction-handle.js'

/**
 * The `Store` over PostgreSQL. Every dispatcher process may share one schema: expansion and
 * claims use `FOR UPDATE SKIP LOCKED`, leases carry a fencing token, and committed `notify`
 * calls wake listening dispatchers through LISTEN/NOTIFY. Build it with {@link postgresStore}.
 */
export class PostgresStore implements Store {
  readonly name = 'postgres'
  /** The schema holding the tables. */
  readonly schema: string
  /** The wake mode in use. */
  readonly wakeMode: WakeMode
  /** Kysely over the configured schema, for queries of your own against the store's tables. */
  readonly db: Kysely<HookboxDatabase>
  readonly #root: Kysely<any>
  readonly #channel: string
  readonly #openListener: (() => Promise<PgListenClient>) | null
  readonly #maxBackoffMs: number
  readonly #unsubscribers = new Set<() => Promise<void>>()
  readonly #planQuiet: (request: EnqueueRequest) => EnqueuePlan
  readonly #planWaking: (request: EnqueueRequest) => EnqueuePlan
  readonly #coalesceMs: number
  #lastWake = Number.NEGATIVE_INFINITY
  readonly #ownPool: PgClientHandle | undefined
  readonly #prepared: boolean

  /**
   * Present unless `wake` is `poll` or no LISTEN connection can be opened (only `db` given,
   * without `listenConnectionString` or `listenClient`).
   */
  readonly subscribe?: (onWake: () => void) => Promise<() => Promise<void>>

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
    this.#root = config.db ?? new Kysely<any>({ dialect: new PostgresDialect({ pool: config.pool! }) })
    this.db = this.#root.withSchema(this.schema) as Kysely<HookboxDatabase>
    this.#channel = wakeChannel(this.schema)
    this.#maxBackoffMs = config.listenMaxBackoffMs ?? 30_000
    this.#openListener = listenerFactory(config)
    this.#ownPool = config.pool as PgClientHandle | undefined
    this.#prepared = config.preparedStatements ?? true
    if (config.pool && typeof (config.pool as Partial<PgClientHandle>).query !== 'function') this.#ownPool = undefined
    this.#planQuiet = enqueuePlanner(this.#root, this.schema, null)
    this.#planWaking = this.wakeMode === 'poll' ? this.#planQuiet : enqueuePlanner(this.#root, this.schema, this.#channel)
    if (this.wakeMode !== 'poll' && this.#openListener) this.subscribe = (onWake) => this.#subscribe(onWake)
  }

  async migrate(): Promise<void> {
    await runMigrations(this.#root, this.schema)
  }

  enqueue(request: EnqueueRequest, transaction?: unknown): Promise<EnqueueOutcome[]> {
    const run = queryRunnerFor(transaction, this.#root, this.#ownPool)
    if (request.messages.length === 0) return Promise.resolve([])
    const plan = (this.#wakesNow() ? this.#planWaking : this.#planQuiet)(request)
    return run(plan.query, this.#prepared ? plan.name : undefined).then(plan.outcomes)
  }

  isSyncTransaction(): boolean {
    return false
  }

  async upsertCollection(collection: CollectionRecord): Promise<CollectionRecord> {
    const values = fromCollection(collection)
    const row = await this.db
      .insertInto('collections')
      .values(values)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          events: values.events,
          policy: values.policy,
          failure_mode: values.failure_mode,
          success: values.success,
          enabled: values.enabled,
          updated_at: values.updated_at,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow()
    return toCollection(row)
  }

  async getCollection(name: string): Promise<CollectionRecord | undefined> {
    const row = await this.db.selectFrom('collections').selectAll().where('name', '=', name).executeTakeFirst()
    return row && toCollection(row)
  }

  async listCollections(): Promise<CollectionRecord[]> {
    return (await this.db.selectFrom('collections').selectAll().orderBy('name').execute()).map(toCollection)
  }

  async deleteCollection(name: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('collections')
      .where('name', '=', name)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('endpoints').select(sql.lit(1).as('one')).where('endpoints.collection', '=', name))))
      .executeTakeFirst()
    return r.numDeletedRows > 0n
  }

  async insertEndpoint(endpoint: EndpointRecord): Promise<void> {
    await this.db.insertInto('endpoints').values(fromEndpoint(endpoint)).execute()
  }

  async updateEndpoint(endpoint: EndpointRecord): Promise<boolean> {
    const { id, ...values } = fromEndpoint(endpoint)
    const r = await this.db.updateTable('endpoints').set(values).where('id', '=', id).executeTakeFirst()
    return r.numUpdatedRows > 0n
  }

  async setEndpointHealth(id: string, h: EndpointHealth): Promise<boolean> {
    const r = await this.db
      .updateTable('endpoints')
      .set({
        ...(h.pausedUntil !== undefined && { paused_until: h.pausedUntil }),
        ...(h.failingSince !== undefined && { failing_since: h.failingSince }),
        ...(h.disable !== undefined && { enabled: false, disabled_reason: h.disable }),
        updated_at: h.now,
      })
      .where('id', '=', id)
      .executeTakeFirst()
    return r.numUpdatedRows > 0n
  }

  async getEndpoint(id: string): Promise<EndpointRecord | undefined> {
    const row = await this.db.selectFrom('endpoints').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toEndpoint(row)
  }

  async listEndpoints(query: EndpointQuery = {}): Promise<EndpointRecord[]> {
    let q = this.db.selectFrom('endpoints').selectAll().orderBy('id')
    if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
    if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled)
    return (await q.execute()).map(toEndpoint)
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('endpoints').where('id', '=', id).executeTakeFirst()
    return r.numDeletedRows > 0n
  }

  async expand(options: { limit: number; now: number }, plan: Planner): Promise<number> {
    return (await expandMessages(this.#root, this.schema, options, plan, null)).expanded
  }

  expandAndClaim(
    options: { limit: number; now: number; lease: { owner: string; leaseMs: number; limit: number } },
    plan: Planner,
  ): Promise<{ expanded: number; claims: Claim[] }> {
    return expandMessages(this.#root, this.schema, options, plan, options.lease)
  }

  claim(options: ClaimOptions): Promise<Claim[]> {
    return claimDeliveries(this.#root, this.schema, options)
  }

  complete(completions: Completion[]): Promise<string[]> {
    return completeDeliveries(this.#root, this.schema, completions)
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toDelivery(row)
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    let q = this.db
      .selectFrom('deliveries')
      .selectAll()
      .orderBy('id')
      .limit(query.limit ?? 100)
    if (query.requestId !== undefined) q = q.where('request_id', '=', query.requestId)
    if (query.messageId !== undefined) q = q.where('message_id', '=', query.messageId)
    if (query.state !== undefined) q = q.where('state', '=', query.state)
    if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
    if (query.endpointId !== undefined) {
      const endpointId = query.endpointId
      q = q.where((eb) => eb.or([eb('endpoint_id', '=', endpointId), sql<boolean>`targets ? ${endpointId}`]))
    }
    if (query.after !== undefined) q = q.where('id', '>', query.after)
    return (await q.execute()).map(toDelivery)
  }

  async listAttempts(deliveryId: string): Promise<AttemptRecord[]> {
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('started_at')
      .orderBy('id')
      .execute()
    return rows.map(toAttempt)
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toMessage(row)
  }

  async requeue(ids: string[], now: number, fromStates: DeliveryState[]): Promise<string[]> {
    if (ids.length === 0 || fromStates.length === 0) return []
    const rows = await this.db
      .updateTable('deliveries')
      .set({
        state: 'pending',
        attempts: 0,
        next_attempt_at: now,
        window_start: now,
        // Keep acknowledgements: a replayed majority delivery never resends to an endpoint that
        // acknowledged. Other entries (stopped, gone) are cleared; last_error is kept.
        progress: sql<string>`(SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(progress) WHERE value = '"acked"'::jsonb)`,
        completed_at: null,
        lease_owner: null,
        lease_until: null,
        lease_token: null,
        updated_at: now,
      })
      .where('id', 'in', ids)
      .where('state', 'in', fromStates)
      .returning('id')
      .execute()
    return rows.map((r) => r.id)
  }

  async cancel(ids: string[], now: number, reason: string): Promise<string[]> {
    if (ids.length === 0) return []
    const rows = await this.db
      .updateTable('deliveries')
      .set({
        state: 'failed',
        last_error: reason,
        completed_at: now,
        updated_at: now,
        lease_owner: null,
        lease_until: null,
        lease_token: null,
      })
      .where('id', 'in', ids)
      .where('state', '=', 'pending')
      .returning('id')
      .execute()
    return rows.map((r) => r.id)
  }

  async deleteDeliveries(ids: string[], states: DeliveryState[]): Promise<number> {
    if (ids.length === 0 || states.length === 0) return 0
    const t = (name: string) => sql.table(`${this.schema}.${name}`)
    const { rows } = await sql<{ n: string }>`
      WITH gone AS (
        DELETE FROM ${t('deliveries')} WHERE id = ANY(${ids}::text[]) AND state = ANY(${states}::text[]) RETURNING id),
      attempts AS (DELETE FROM ${t('attempts')} a USING gone g WHERE a.delivery_id = g.id)
      SELECT count(*) AS n FROM gone`.execute(this.#root)
    return Number(rows[0]?.n ?? 0)
  }

  async putResult(result: ResultRecord, transaction?: unknown): Promise<void> {
    const values = {
      request_id: result.requestId,
      status: result.status,
      body: jsonOrNull(result.body),
      created_at: result.createdAt,
      expires_at: result.expiresAt,
    }
    const query = this.db
      .insertInto('results')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('request_id')
          .doUpdateSet({ status: values.status, body: values.body, created_at: values.created_at, expires_at: values.expires_at }),
      )
      .compile()
    await queryRunnerFor(transaction, this.#root, this.#ownPool)(query)
  }

  async getResult(requestId: string, now: number): Promise<ResultRecord | undefined> {
    const row = await this.db
      .selectFrom('results')
      .selectAll()
      .where('request_id', '=', requestId)
      .where('expires_at', '>', now)
      .executeTakeFirst()
    return row && toResult(row)
  }

  purge(options: PurgeOptions): Promise<PurgeCounts> {
    return purgeFinished(this.#root, this.schema, options)
  }

  stats(now: number): Promise<StoreStats> {
    return readStats(this.#root, this.schema, now)
  }

  /** Sends a wake-up to every listening dispatcher now, outside any transaction (no-op in `poll` mode). */
  async wake(): Promise<void> {
    if (this.wakeMode === 'poll') return
    await sql`SELECT pg_notify(${this.#channel}, '')`.execute(this.#root)
  }

  /** Whether this `notify()` carries a `pg_notify` (in `coalesced` mode, one per window). */
  #wakesNow(): boolean {
    if (this.wakeMode !== 'coalesced') return this.wakeMode === 'notify'
    const now = performance.now()
    if (now - this.#lastWake < this.#coalesceMs) return false
    this.#lastWake = now
    return true
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

  async #subscribe(onWake: () => void): Promise<() => Promise<void>> {
    const stop = await listenForWakeUps({
      channel: this.#channel,
      open: this.#openListener!,
      onWake: this.wakeMode === 'coalesced' ? this.#withFollowUps(onWake) : onWake,
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
