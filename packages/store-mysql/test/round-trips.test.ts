import { createPlanner } from '@hookbox/core'
import { collection, completion, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { Kysely, MysqlDialect, sql, type KyselyPlugin } from 'kysely'
import { createPool } from 'mysql2'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { mysqlStore, type MysqlStore } from '../src/index.js'
import { attempt, mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_trips')
afterAll(() => databases.end())

const LEASE = { leaseMs: 30_000, owner: 'test' }

/** A store whose statements are recorded, on a fresh database with one collection and endpoint. */
async function recordedStore() {
  const database = await databases.create()
  const statements: string[] = []
  const pool = createPool({ uri: mysqlUrl, connectionLimit: 4 })
  const built = { queries: 0 }
  // A plugin sees every query kysely builds (compiled SQL reused as text passes by it).
  const counting: KyselyPlugin = {
    transformQuery: (args) => (built.queries++, args.node),
    transformResult: async (args) => args.result,
  }
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool }),
    log: (e) => void statements.push(e.query.sql),
    plugins: [counting],
  })
  const store = mysqlStore({ db, database })
  await store.housekeeping.migrate()
  await store.catalog.upsertCollection({ collection: collection() })
  const ep = endpoint()
  await store.catalog.insertEndpoint({ endpoint: ep })
  return { store, db, database, statements, built, endpointId: ep.id }
}

describe('mysql: round trips of the claim and the write-back', () => {
  let s: Awaited<ReturnType<typeof recordedStore>>
  let store: MysqlStore
  beforeEach(async () => {
    s = await recordedStore()
    store = s.store
    return async () => {
      await store.close()
      await s.db.destroy()
    }
  })

  it('a warm claim and write-back build no query: their texts are kept per batch size', async () => {
    await store.queue.enqueue({ messages: Array.from({ length: 9 }, () => message()), idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const round = async () => {
      const { leased } = await store.queue.claim({ ...LEASE, limit: 3, now: T0 })
      expect(leased).toHaveLength(3)
      await store.queue.complete({ completions: leased.map((c) => completion(c, { attemptLog: [attempt(c.delivery.id, s.endpointId)] })) })
    }
    await round()
    s.built.queries = 0
    await round()
    await round()
    expect(s.built.queries).toBe(0)
  })

  it('a write-back whose outcomes all hold their lease is one fenced UPDATE, with no locking read first', async () => {
    await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const { leased } = await store.queue.claim({ ...LEASE, limit: 10, now: T0 })
    expect(leased).toHaveLength(2)
    s.statements.length = 0
    const applied = await store.queue.complete({
      completions: leased.map((c) => completion(c, { attemptLog: [attempt(c.delivery.id, s.endpointId)] })),
    })
    expect([...applied].sort()).toEqual(leased.map((c) => c.delivery.id).sort())
    expect(s.statements.filter((q) => /for update/i.test(q))).toEqual([])
    expect(s.statements.filter((q) => /^update/i.test(q))).toHaveLength(1)
    expect((await store.queue.listAttempts({ deliveryId: leased[0]!.delivery.id })).map((a) => a.outcome)).toEqual(['ack'])
  })

  it('a batch with a fenced-off outcome rolls the first try back: each attempt logged once, only the applied outcome disables', async () => {
    await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const first = (await store.queue.claim({ ...LEASE, limit: 10, now: T0 })).leased
    // The lease of one runs out and another dispatcher takes it: the first holder's outcome is stale.
    const [again] = (await store.queue.claim({ ...LEASE, limit: 1, now: T0 + 30_000 })).leased
    const stale = first.find((c) => c.delivery.id === again!.delivery.id)!
    const other = first.find((c) => c.delivery.id !== again!.delivery.id)!
    const [a, b] = [endpoint(), endpoint()]
    for (const e of [a!, b!]) await store.catalog.insertEndpoint({ endpoint: e })
    const applied = await store.queue.complete({
      completions: [
        completion(stale, {
          state: 'dead',
          attemptLog: [attempt(stale.delivery.id, s.endpointId)],
          disableEndpoints: [{ id: a!.id, reason: 'stale' }],
        }),
        completion(other, { attemptLog: [attempt(other.delivery.id, s.endpointId)], disableEndpoints: [{ id: b!.id, reason: 'gone' }] }),
      ],
    })
    expect(applied).toEqual([other.delivery.id])
    expect((await store.queue.getDelivery({ id: stale.delivery.id }))!.state).toBe('pending')
    expect((await store.queue.getDelivery({ id: other.delivery.id }))!.state).toBe('delivered')
    for (const c of [stale, other]) expect(await store.queue.listAttempts({ deliveryId: c.delivery.id })).toHaveLength(1)
    expect((await store.catalog.getEndpoint({ id: a!.id }))!.enabled).toBe(true)
    expect((await store.catalog.getEndpoint({ id: b!.id }))!).toMatchObject({ enabled: false, disabledReason: 'gone' })
  })

  it('a claim reads the config version in its messages statement, and on its own when their messages are gone', async () => {
    await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const version = async () =>
      Number(
        (await sql<{ version: unknown }>`SELECT version FROM ${sql.table(`${s.database}.hookbox_config_version`)}`.execute(s.db)).rows[0]!
          .version,
      )
    s.statements.length = 0
    const claimed = await store.queue.claim({ ...LEASE, limit: 1, now: T0 })
    const reads = s.statements.filter((q) => q.includes('hookbox_config_version'))
    expect(reads).toHaveLength(1)
    expect(reads[0]).toContain('hookbox_messages')
    expect(claimed.leased).toHaveLength(1)
    expect(claimed.configVersion).toBe(await version())
    // The other delivery's message is deleted under it: no delivery to hand out, the version still comes.
    await sql`DELETE FROM ${sql.table(`${s.database}.hookbox_messages`)}`.execute(s.db)
    const orphan = await store.queue.claim({ ...LEASE, limit: 10, now: T0 })
    expect(orphan.leased).toEqual([])
    expect(orphan.configVersion).toBe(await version())
  })

  it("a claim reads its targets' breaker columns in its messages statement", async () => {
    const tripped = endpoint({ pausedUntil: T0 - 1000, failingSince: T0 - 5000, updatedAt: T0 + 1 })
    await store.catalog.insertEndpoint({ endpoint: tripped })
    await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    s.statements.length = 0
    const { leased } = await store.queue.claim({ ...LEASE, limit: 10, now: T0 })
    const reads = s.statements.filter((q) => q.includes('hookbox_endpoints') && !q.includes('hookbox_deliveries'))
    expect(reads).toHaveLength(1)
    expect(reads[0]).toContain('hookbox_messages')
    expect(leased).toHaveLength(4)
    const columns = new Map(leased.flatMap((l) => l.health).map((h) => [h.id, h]))
    expect(columns.get(tripped.id)).toEqual({ id: tripped.id, pausedUntil: T0 - 1000, failingSince: T0 - 5000, updatedAt: T0 + 1 })
    expect(columns.get(s.endpointId)).toEqual({ id: s.endpointId, pausedUntil: null, failingSince: null, updatedAt: T0 })
  })

  it('an expansion reads the config version in its pick, and a config change still reaches the next batch', async () => {
    // One planner across batches, as the dispatcher keeps its routing in memory by config version.
    const planner = createPlanner()
    const expand = async () => {
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      s.statements.length = 0
      expect((await store.queue.expand({ limit: 10, now: T0, planner })).expanded).toBe(1)
      const reads = s.statements.filter((q) => q.includes('hookbox_config_version'))
      expect(reads).toHaveLength(1)
      expect(reads[0]).toContain('hookbox_messages')
    }
    await expand()
    const added = endpoint()
    await store.catalog.insertEndpoint({ endpoint: added })
    await expand()
    // The second message goes to both endpoints: the planner saw the new version and read the routing.
    expect((await store.queue.listDeliveries({})).filter((d) => d.endpointId === added.id)).toHaveLength(1)
  })

  it('an expansion after a full batch skips the look-up for unexpanded messages; after a short one it looks first', async () => {
    const lookUps = () => s.statements.filter((q) => /^select `seq` from/.test(q)).length
    await store.queue.enqueue({ messages: [message(), message(), message()], idempotencySince: 0 })
    expect(await expandOnce(store, { limit: 2, now: T0 })).toBe(2)
    expect(lookUps()).toBe(1)
    // Full: the next pass goes straight to its transaction, and finds the last message.
    expect(await expandOnce(store, { limit: 2, now: T0 })).toBe(1)
    expect(lookUps()).toBe(1)
    // Short: the next pass looks first, finds nothing and opens no transaction.
    s.statements.length = 0
    expect(await expandOnce(store, { limit: 2, now: T0 })).toBe(0)
    expect(s.statements.map((q) => q.slice(0, 12))).toEqual(['select `seq`'])
  })
})
