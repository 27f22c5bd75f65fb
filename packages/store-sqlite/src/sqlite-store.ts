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
import { InvalidTransactionError, matchesEvent } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { sql, type CompiledQuery } from 'kysely'
import { migrations } from './migrations/index.js'
import {
  attemptFromRow,
  attemptToRow,
  collectionFromRow,
  collectionToRow,
  deliveryFromRow,
  endpointFromRow,
  endpointToRow,
  messageFromRow,
  messageToRow,
} from './rows.js'
import type { SqliteDatabase, SqliteStoreConfig } from './sqlite-store-config.js'
import { readStats } from './stats-query.js'
import { SyncExecutor } from './sync-executor.js'
import { classifyHandle, isSyncHandle, type KyselyHandle } from './transaction-handle.js'

const INSERT_CHUNK = 500

/** Hookbox's `Store` on SQLite through better-sqlite3, queries built with kysely. */
export class SqliteStore implements Store {
  readonly name = 'sqlite'
  readonly #x: SyncExecutor
  readonly #db: SqliteDatabase
  readonly #config: SqliteStoreConfig
  readonly #foreign = new WeakMap<SqliteDatabase, SyncExecutor>()

  constructor(config: SqliteStoreConfig) {
    this.#config = config
    this.#db = config.database
    this.#x = new SyncExecutor(config.database)
    // Another process writing the same file should make us wait briefly, not fail at once.
    if (this.#db.pragma('busy_timeout', { simple: true }) === 0) this.#db.pragma('busy_timeout = 5000')
  }

  /**
   * Runs a store operation once no host transaction is open on the shared connection, so our
   * writes never become part of a host's async (kysely) transaction.
   */
  async #idle<T>(fn: () => T): Promise<T> {
    while (this.#db.inTransaction) await new Promise((r) => setTimeout(r, 2))
    return fn()
  }

  async migrate(): Promise<void> {
    await this.#idle(() =>
      this.#x.tx(() => {
        this.#db.exec('CREATE TABLE IF NOT EXISTS hookbox_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
        const done = new Set(this.#x.all(this.#x.qb.selectFrom('hookbox_migrations').select('version')).map((r) => r.version))
        for (const m of migrations) {
          if (done.has(m.version)) continue
          this.#db.exec(m.sql)
          this.#x.run(this.#x.qb.insertInto('hookbox_migrations').values({ version: m.version, applied_at: Date.now() }))
        }
      }),
    )
  }

  /** The executor of a host connection, kept so its prepared statements are reused across calls. */
  #executorFor(db: SqliteDatabase): SyncExecutor {
    if (db === this.#db) return this.#x
    let x = this.#foreign.get(db)
    if (!x) this.#foreign.set(db, (x = new SyncExecutor(db)))
    return x
  }

  isSyncTransaction(transaction: unknown): boolean {
    return isSyncHandle(transaction)
  }

  enqueue(request: EnqueueRequest, transaction?: unknown): EnqueueOutcome[] | Promise<EnqueueOutcome[]> {
    const handle = classifyHandle(transaction)
    if (handle.kind === 'kysely') return this.#enqueueKysely(request, handle.trx)
    const x = handle.kind === 'sync' ? this.#executorFor(handle.db) : this.#x
    const write = () => this.#enqueueSync(request, x)
    if (handle.kind === 'sync') return x.db.inTransaction ? write() : x.tx(write)
    if (this.#db.inTransaction)
      throw new InvalidTransactionError(
        'a transaction is open on the outbox database: pass it as { transaction: db } so the event commits (or rolls back) with it',
      )
    return this.#idle(() => this.#x.tx(write))
  }

  #enqueueSync(request: EnqueueRequest, x: SyncExecutor): EnqueueOutcome[] {
    const { fresh, outcomes, expired } = this.#dedupe(request, (keys) =>
      x.all(
        x.qb
          .selectFrom('hookbox_messages')
          .select(['id', 'request_id', 'idempotency_key', 'created_at'])
          .where('idempotency_key', 'in', keys),
      ),
    )
    if (expired.length) x.run(this.#clearKeys(expired))
    for (let i = 0; i < fresh.length; i += INSERT_CHUNK) x.run(this.#insertMessages(fresh.slice(i, i + INSERT_CHUNK)))
    return outcomes
  }

  async #enqueueKysely(request: EnqueueRequest, trx: KyselyHandle): Promise<EnqueueOutcome[]> {
    const exec = <R>(q: { compile(): CompiledQuery<R> } | CompiledQuery<R>) =>
      trx.executeQuery('compile' in q ? q.compile() : q).then((r) => r.rows)
    const keys = request.messages.map((m) => m.idempotencyKey).filter((k): k is string => k !== null)
    const existing = keys.length
      ? await exec(
          this.#x.qb
            .selectFrom('hookbox_messages')
            .select(['id', 'request_id', 'idempotency_key', 'created_at'])
            .where('idempotency_key', 'in', keys),
        )
      : []
    const { fresh, outcomes, expired } = this.#dedupe(request, () => existing)
    if (expired.length) await exec(this.#clearKeys(expired))
    for (let i = 0; i < fresh.length; i += INSERT_CHUNK) await exec(this.#insertMessages(fresh.slice(i, i + INSERT_CHUNK)))
    return outcomes
  }

  /** Splits messages into new ones and repeats of a live idempotency key. */
  #dedupe(
    request: EnqueueRequest,
    lookup: (keys: string[]) => Array<{ id: string; request_id: string; idempotency_key: string | null; created_at: number }>,
  ) {
    const keys = request.messages.map((m) => m.idempotencyKey).filter((k): k is string => k !== null)
    const live = new Map<string, { id: string; requestId: string }>()
    const expired: string[] = []
    if (keys.length)
      for (const row of lookup(keys)) {
        if (row.created_at >= request.idempotencySince) live.set(row.idempotency_key!, { id: row.id, requestId: row.request_id })
        else expired.push(row.idempotency_key!)
      }
    const fresh: MessageRecord[] = []
    const outcomes = request.messages.map((m) => {
      const hit = m.idempotencyKey ? live.get(m.idempotencyKey) : undefined
      if (hit) return { messageId: hit.id, requestId: hit.requestId, duplicate: true }
      if (m.idempotencyKey) live.set(m.idempotencyKey, { id: m.id, requestId: m.requestId })
      fresh.push(m)
      return { messageId: m.id, requestId: m.requestId, duplicate: false }
    })
    return { fresh, outcomes, expired }
  }

  #clearKeys(keys: string[]) {
    return this.#x.qb.updateTable('hookbox_messages').set({ idempotency_key: null }).where('idempotency_key', 'in', keys)
  }

  #insertMessages(messages: MessageRecord[]) {
    return this.#x.insert('hookbox_messages', messages.map(messageToRow))
  }

  async upsertCollection(c: CollectionRecord): Promise<CollectionRecord> {
    const row = collectionToRow(c)
    const { name: _name, created_at: _created, ...changes } = row
    await this.#idle(() =>
      this.#x.run(
        this.#x.qb
          .insertInto('hookbox_collections')
          .values(row)
          .onConflict((oc) => oc.column('name').doUpdateSet(changes)),
      ),
    )
    return (await this.getCollection(c.name))!
  }

  async getCollection(name: string): Promise<CollectionRecord | undefined> {
    const r = this.#x.one(this.#x.qb.selectFrom('hookbox_collections').selectAll().where('name', '=', name))
    return r && collectionFromRow(r)
  }

  async listCollections(): Promise<CollectionRecord[]> {
    return this.#x.all(this.#x.qb.selectFrom('hookbox_collections').selectAll().orderBy('name')).map(collectionFromRow)
  }

  async deleteCollection(name: string): Promise<boolean> {
    return (await this.#idle(() => this.#x.run(this.#x.qb.deleteFrom('hookbox_collections').where('name', '=', name)))) > 0
  }

  async insertEndpoint(e: EndpointRecord): Promise<void> {
    await this.#idle(() => this.#x.run(this.#x.qb.insertInto('hookbox_endpoints').values(endpointToRow(e))))
  }

  async updateEndpoint(e: EndpointRecord): Promise<boolean> {
    const { id, created_at: _c, ...changes } = endpointToRow(e)
    return (await this.#idle(() => this.#x.run(this.#x.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', id)))) > 0
  }

  async getEndpoint(id: string): Promise<EndpointRecord | undefined> {
    const r = this.#x.one(this.#x.qb.selectFrom('hookbox_endpoints').selectAll().where('id', '=', id))
    return r && endpointFromRow(r)
  }

  async listEndpoints(query: EndpointQuery = {}): Promise<EndpointRecord[]> {
    let q = this.#x.qb.selectFrom('hookbox_endpoints').selectAll().orderBy('id')
    if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
    if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled ? 1 : 0)
    return this.#x.all(q).map(endpointFromRow)
  }

  async setEndpointHealth(id: string, h: EndpointHealth): Promise<boolean> {
    const changes = {
      ...(h.pausedUntil !== undefined && { paused_until: h.pausedUntil }),
      ...(h.failingSince !== undefined && { failing_since: h.failingSince }),
      ...(h.disable !== undefined && { enabled: 0, disabled_reason: h.disable }),
      updated_at: h.now,
    }
    return (await this.#idle(() => this.#x.run(this.#x.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', id)))) > 0
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return (await this.#idle(() => this.#x.run(this.#x.qb.deleteFrom('hookbox_endpoints').where('id', '=', id)))) > 0
  }

  async expand(options: { limit: number; now: number }, plan: Planner): Promise<number> {
    const { qb } = this.#x
    return this.#idle(() =>
      this.#x.tx(() => {
        const rows = this.#x.all(
          this.#x.shaped('unexpanded', [options.limit], () =>
            qb.selectFrom('hookbox_messages').selectAll().where('expanded', '=', sql.lit(0)).orderBy('seq').limit(options.limit),
          ),
        )
        if (rows.length === 0) return 0
        const collections = this.#x.all(qb.selectFrom('hookbox_collections').selectAll().orderBy('name')).map(collectionFromRow)
        // Only the enabled endpoints of collections this batch can reach: tenants may have thousands.
        const types = [...new Set(rows.map((r) => r.type))]
        const wanted = collections.filter((c) => types.some((type) => matchesEvent(c.events, type))).map((c) => c.name)
        const endpoints = wanted.length
          ? this.#x
              .all(qb.selectFrom('hookbox_endpoints').selectAll().where('enabled', '=', 1).where('collection', 'in', wanted).orderBy('id'))
              .map(endpointFromRow)
          : []
        const routing = { collections, endpoints }
        const deliveries = rows.flatMap((row) =>
          plan(messageFromRow(row), routing).map((d) => ({
            id: d.id,
            message_id: row.id,
            message_seq: row.seq,
            collection: d.collection,
            failure_mode: d.failureMode,
            endpoint_id: d.endpointId,
            targets: JSON.stringify(d.targets),
            progress: '{}',
            state: 'pending',
            attempts: 0,
            next_attempt_at: options.now,
            window_start: options.now,
            last_error: null,
            ordering_key: row.ordering_key,
            lease_owner: null,
            lease_until: null,
            lease_token: null,
            created_at: options.now,
            updated_at: options.now,
            completed_at: null,
          })),
        )
        for (let i = 0; i < deliveries.length; i += INSERT_CHUNK)
          this.#x.run(this.#x.insert('hookbox_deliveries', deliveries.slice(i, i + INSERT_CHUNK)))
        this.#x.run(
          qb
            .updateTable('hookbox_messages')
            .set({ expanded: 1 })
            .where(
              'seq',
              'in',
              rows.map((r) => r.seq),
            ),
        )
        return rows.length
      }),
    )
  }

  async claim(options: ClaimOptions): Promise<Claim[]> {
    const { qb } = this.#x
    const { now } = options
    const skip = options.skipEndpoints ?? []
    return this.#idle(() =>
      this.#x.tx(() => {
        const rows = this.#x.all(
          this.#x.shaped(`claim:${skip.length}`, [now, now, now, ...skip, options.limit], () =>
            qb
              .selectFrom('hookbox_deliveries as d')
              .leftJoin('hookbox_endpoints as e', 'e.id', 'd.endpoint_id')
              .selectAll('d')
              .where('d.state', '=', sql.lit('pending'))
              .where('d.next_attempt_at', '<=', now)
              .where((w) => w.or([w('d.lease_until', 'is', null), w('d.lease_until', '<=', now)]))
              .where((w) =>
                w.or([
                  w('d.endpoint_id', 'is', null),
                  w('e.id', 'is', null),
                  w.and([w('e.enabled', '=', sql.lit(1)), w.or([w('e.paused_until', 'is', null), w('e.paused_until', '<=', now)])]),
                ]),
              )
              .$if(skip.length > 0, (q) => q.where((w) => w.or([w('d.endpoint_id', 'is', null), w('d.endpoint_id', 'not in', skip)])))
              .where((w) =>
                w.exists(
                  w
                    .selectFrom('hookbox_collections as c')
                    .select(sql.lit(1).as('one'))
                    .whereRef('c.name', '=', 'd.collection')
                    .where('c.enabled', '=', sql.lit(1)),
                ),
              )
              .where((w) =>
                w.or([
                  w('d.ordering_key', 'is', null),
                  w.and([
                    w.not(
                      w.exists(
                        w
                          .selectFrom('hookbox_deliveries as p')
                          .select(sql.lit(1).as('one'))
                          .whereRef('p.ordering_key', '=', 'd.ordering_key')
                          .whereRef('p.collection', '=', 'd.collection')
                          .where(sql<boolean>`p.endpoint_id IS d.endpoint_id`)
                          .where('p.state', '=', sql.lit('pending'))
                          .whereRef('p.message_seq', '<', 'd.message_seq'),
                      ),
                    ),
                    w.not(
                      w.exists(
                        w
                          .selectFrom('hookbox_messages as m')
                          .select(sql.lit(1).as('one'))
                          .where('m.expanded', '=', sql.lit(0))
                          .whereRef('m.ordering_key', '=', 'd.ordering_key')
                          .whereRef('m.seq', '<', 'd.message_seq'),
                      ),
                    ),
                  ]),
                ]),
              )
              .orderBy('d.next_attempt_at')
              .orderBy('d.message_seq')
              .limit(options.limit),
          ),
        )
        if (rows.length === 0) return []
        const token = randomUUID()
        const ids = rows.map((r) => r.id)
        const lease = [options.owner, now + options.leaseMs, token, now]
        this.#x.run(
          this.#x.shaped(`lease:${ids.length}`, [...lease, ...ids], () =>
            qb
              .updateTable('hookbox_deliveries')
              .set({ lease_owner: options.owner, lease_until: now + options.leaseMs, lease_token: token, updated_at: now })
              .where('id', 'in', ids),
          ),
        )
        return this.#hydrate(rows.map(deliveryFromRow), token)
      }),
    )
  }

  /** Loads the messages, collections and endpoints a batch of claimed deliveries needs. */
  #hydrate(deliveries: DeliveryRecord[], token: string): Claim[] {
    const { qb } = this.#x
    const messageIds = [...new Set(deliveries.map((d) => d.messageId))]
    const names = [...new Set(deliveries.map((d) => d.collection))]
    const endpointIds = [...new Set(deliveries.flatMap((d) => d.targets))]
    const messages = new Map(
      this.#x
        .all(
          this.#x.shaped(`messages:${messageIds.length}`, messageIds, () =>
            qb.selectFrom('hookbox_messages').selectAll().where('id', 'in', messageIds),
          ),
        )
        .map((r) => [r.id, messageFromRow(r)]),
    )
    const collections = new Map(
      this.#x
        .all(
          this.#x.shaped(`collections:${names.length}`, names, () =>
            qb.selectFrom('hookbox_collections').selectAll().where('name', 'in', names),
          ),
        )
        .map((r) => [r.name, collectionFromRow(r)]),
    )
    const endpoints = new Map(
      this.#x
        .all(
          this.#x.shaped(`endpoints:${endpointIds.length}`, endpointIds, () =>
            qb.selectFrom('hookbox_endpoints').selectAll().where('id', 'in', endpointIds),
          ),
        )
        .map((r) => [r.id, endpointFromRow(r)]),
    )
    return deliveries.flatMap((delivery) => {
      const message = messages.get(delivery.messageId)
      const collection = collections.get(delivery.collection)
      if (!message || !collection) return []
      const eps = delivery.targets.map((id) => endpoints.get(id)).filter((e): e is EndpointRecord => !!e)
      return [{ delivery, message, collection, endpoints: eps, leaseToken: token }]
    })
  }

  async complete(completions: Completion[]): Promise<string[]> {
    const { qb } = this.#x
    return this.#idle(() =>
      this.#x.tx(() => {
        const applied: string[] = []
        for (const c of completions) {
          const outcome = {
            state: c.state,
            attempts: c.attempts,
            next_attempt_at: c.nextAttemptAt,
            progress: JSON.stringify(c.progress),
            last_error: c.lastError,
            completed_at: c.completedAt,
            updated_at: c.updatedAt,
            lease_owner: null,
            lease_until: null,
            lease_token: null,
          }
          const changed = this.#x.run(
            this.#x.shaped('complete', [...Object.values(outcome), c.deliveryId, c.leaseToken], () =>
              qb.updateTable('hookbox_deliveries').set(outcome).where('id', '=', c.deliveryId).where('lease_token', '=', c.leaseToken),
            ),
          )
          // A fenced-off (stale) outcome must not disable an endpoint either.
          if (changed === 0) continue
          applied.push(c.deliveryId)
          for (const d of c.disableEndpoints)
            this.#x.run(
              qb
                .updateTable('hookbox_endpoints')
                .set({ enabled: 0, disabled_reason: d.reason, updated_at: c.updatedAt })
                .where('id', '=', d.id),
            )
        }
        const attempts = completions.flatMap((c) => c.attemptLog.map(attemptToRow))
        for (let i = 0; i < attempts.length; i += INSERT_CHUNK)
          this.#x.run(this.#x.insert('hookbox_attempts', attempts.slice(i, i + INSERT_CHUNK) as unknown as Array<Record<string, unknown>>))
        return applied
      }),
    )
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    const r = this.#x.one(this.#x.qb.selectFrom('hookbox_deliveries').selectAll().where('id', '=', id))
    return r && deliveryFromRow(r)
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    let q = this.#x.qb
      .selectFrom('hookbox_deliveries as d')
      .selectAll('d')
      .orderBy('d.id')
      .limit(query.limit ?? 100)
    if (query.requestId !== undefined)
      q = q.where('d.message_id', 'in', this.#x.qb.selectFrom('hookbox_messages').select('id').where('request_id', '=', query.requestId))
    if (query.messageId !== undefined) q = q.where('d.message_id', '=', query.messageId)
    if (query.state !== undefined) q = q.where('d.state', '=', query.state)
    if (query.collection !== undefined) q = q.where('d.collection', '=', query.collection)
    if (query.endpointId !== undefined)
      q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM json_each(d.targets) WHERE value = ${query.endpointId})`)
    if (query.after !== undefined) q = q.where('d.id', '>', query.after)
    return this.#x.all(q).map(deliveryFromRow)
  }

  async listAttempts(deliveryId: string): Promise<AttemptRecord[]> {
    return this.#x
      .all(this.#x.qb.selectFrom('hookbox_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('id'))
      .map(attemptFromRow)
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const r = this.#x.one(this.#x.qb.selectFrom('hookbox_messages').selectAll().where('id', '=', id))
    return r && messageFromRow(r)
  }

  async requeue(ids: string[], now: number, fromStates: DeliveryState[]): Promise<string[]> {
    if (ids.length === 0) return []
    const { qb } = this.#x
    return this.#idle(() =>
      this.#x.tx(() => {
        const found = this.#x
          .all(qb.selectFrom('hookbox_deliveries').select('id').where('id', 'in', ids).where('state', 'in', fromStates))
          .map((r) => r.id)
        if (found.length)
          this.#x.run(
            qb
              .updateTable('hookbox_deliveries')
              .set({
                state: 'pending',
                attempts: 0,
                next_attempt_at: now,
                window_start: now,
                // Keep acknowledgements: a replay never resends to an endpoint that acknowledged.
                progress: sql<string>`(SELECT coalesce(json_group_object(key, value), '{}') FROM json_each(progress) WHERE value = 'acked')`,
                completed_at: null,
                lease_owner: null,
                lease_until: null,
                lease_token: null,
                updated_at: now,
              })
              .where('id', 'in', found),
          )
        return found
      }),
    )
  }

  async cancel(ids: string[], now: number, reason: string): Promise<string[]> {
    if (ids.length === 0) return []
    const { qb } = this.#x
    return this.#idle(() =>
      this.#x.tx(() => {
        const found = this.#x
          .all(qb.selectFrom('hookbox_deliveries').select('id').where('id', 'in', ids).where('state', '=', 'pending'))
          .map((r) => r.id)
        if (found.length)
          this.#x.run(
            qb
              .updateTable('hookbox_deliveries')
              .set({
                state: 'failed',
                last_error: reason,
                completed_at: now,
                updated_at: now,
                lease_owner: null,
                lease_until: null,
                lease_token: null,
              })
              .where('id', 'in', found),
          )
        return found
      }),
    )
  }

  async deleteDeliveries(ids: string[], states: DeliveryState[]): Promise<number> {
    if (ids.length === 0) return 0
    const { qb } = this.#x
    return this.#idle(() =>
      this.#x.tx(() => {
        const found = this.#x
          .all(qb.selectFrom('hookbox_deliveries').select('id').where('id', 'in', ids).where('state', 'in', states))
          .map((r) => r.id)
        if (found.length === 0) return 0
        this.#x.run(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', found))
        return this.#x.run(qb.deleteFrom('hookbox_deliveries').where('id', 'in', found))
      }),
    )
  }

  putResult(r: ResultRecord, transaction?: unknown): void | Promise<void> {
    const row = {
      request_id: r.requestId,
      status: r.status,
      body: JSON.stringify(r.body ?? null),
      created_at: r.createdAt,
      expires_at: r.expiresAt,
    }
    const { request_id: _id, ...changes } = row
    const query = this.#x.qb
      .insertInto('hookbox_results')
      .values(row)
      .onConflict((oc) => oc.column('request_id').doUpdateSet(changes))
    const handle = classifyHandle(transaction)
    if (handle.kind === 'kysely') return handle.trx.executeQuery(query.compile()).then(() => undefined)
    if (handle.kind === 'sync') {
      this.#executorFor(handle.db).run(query)
      return
    }
    return this.#idle(() => void this.#x.run(query))
  }

  async getResult(requestId: string, now: number): Promise<ResultRecord | undefined> {
    const r = this.#x.one(
      this.#x.qb.selectFrom('hookbox_results').selectAll().where('request_id', '=', requestId).where('expires_at', '>', now),
    )
    return r && { requestId: r.request_id, status: r.status, body: JSON.parse(r.body), createdAt: r.created_at, expiresAt: r.expires_at }
  }

  async purge(options: { finishedBefore: number; now: number; limit: number; keepIdempotencySince: number }): Promise<PurgeCounts> {
    const { qb } = this.#x
    return this.#idle(() =>
      this.#x.tx(() => {
        const ids = this.#x
          .all(
            qb
              .selectFrom('hookbox_deliveries')
              .select('id')
              .where('state', '<>', 'pending')
              .where('completed_at', '<', options.finishedBefore)
              .limit(options.limit),
          )
          .map((r) => r.id)
        const attempts = ids.length ? this.#x.run(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', ids)) : 0
        const deliveries = ids.length ? this.#x.run(qb.deleteFrom('hookbox_deliveries').where('id', 'in', ids)) : 0
        const messageIds = this.#x
          .all(
            qb
              .selectFrom('hookbox_messages as m')
              .select('m.seq')
              .where('m.expanded', '=', 1)
              .where('m.created_at', '<', options.finishedBefore)
              .where((w) => w.or([w('m.idempotency_key', 'is', null), w('m.created_at', '<', options.keepIdempotencySince)]))
              .where((w) =>
                w.not(w.exists(w.selectFrom('hookbox_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.message_id', '=', 'm.id'))),
              )
              .limit(options.limit),
          )
          .map((r) => r.seq)
        const messages = messageIds.length ? this.#x.run(qb.deleteFrom('hookbox_messages').where('seq', 'in', messageIds)) : 0
        const resultKeys = this.#x
          .all(qb.selectFrom('hookbox_results').select('request_id').where('expires_at', '<=', options.now).limit(options.limit))
          .map((r) => r.request_id)
        const results = resultKeys.length ? this.#x.run(qb.deleteFrom('hookbox_results').where('request_id', 'in', resultKeys)) : 0
        return { messages, deliveries, attempts, results }
      }),
    )
  }

  async stats(now: number): Promise<StoreStats> {
    return this.#idle(() => readStats(this.#x, now))
  }

  async close(): Promise<void> {
    if (this.#config.closeDatabase && this.#db.open) this.#db.close()
  }
}
