import { randomBytes } from 'node:crypto'
import {
  newId,
  policies,
  type AttemptRecord,
  type Claim,
  type CollectionRecord,
  type EndpointRecord,
  type FailureMode,
} from '@hookbox/core'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore, type PostgresStore } from '../src/index.js'
import { claimConfigured, completion, endpoint, expandOnce, message, requeue, T0 } from '@hookbox/core/testing'
import { databaseUrl } from './helpers.js'

// complete() fencing of disableEndpoints, purge() of whole deliveries and live idempotency keys,
// and requeue() keeping acknowledgements; each test in a schema of its own.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 })
const schemas: string[] = []

afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
  await pool.end()
})

async function freshStore(): Promise<PostgresStore> {
  const schema = `hb_fence_${randomBytes(5).toString('hex')}`
  schemas.push(schema)
  const store = postgresStore({ pool, schema, wake: 'poll' })
  await store.housekeeping.migrate()
  return store
}

async function setup(store: PostgresStore, failureMode: FailureMode = 'each', endpoints = 1): Promise<EndpointRecord[]> {
  const c: CollectionRecord = {
    name: 'events',
    events: null,
    policy: policies.fixed(),
    failureMode,
    success: null,
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
  }
  await store.catalog.upsertCollection({ collection: c })
  const list = Array.from({ length: endpoints }, () => endpoint())
  for (const e of list) await store.catalog.insertEndpoint({ endpoint: e })
  return list
}

function attempt(claim: Claim, over: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    id: newId(T0),
    deliveryId: claim.delivery.id,
    tenant: null,
    endpointId: claim.endpoints[0]!.id,
    round: 1,
    url: 'u',
    startedAt: T0,
    latencyMs: 1,
    statusCode: 500,
    outcome: 'retry',
    error: null,
    responseSnippet: null,
    ...over,
  }
}

const claimOpts = (now = T0, limit = 10) => ({ now, limit, leaseMs: 30_000, owner: 'test' })

async function count(store: PostgresStore, table: string, where = 'true'): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${store.schema}".${table} WHERE ${where}`)
  return rows[0].n
}

describe('postgres complete(): fencing', () => {
  it('returns only the ids whose lease token matched, and applies disableEndpoints only for those', async () => {
    const store = await freshStore()
    const [e1, e2] = await setup(store, 'each', 2)
    await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const first = await claimConfigured(store, claimOpts(T0))
    expect(first).toHaveLength(2)
    const byEndpoint = (cs: Claim[], e: EndpointRecord) => cs.find((c) => c.delivery.endpointId === e.id)!
    // Both leases expire; another dispatcher takes over the delivery to e1 only.
    const s1 = byEndpoint(first, e1!)
    const s2 = byEndpoint(first, e2!)
    await pool.query(`UPDATE "${store.schema}".deliveries SET lease_until = $1 WHERE id = $2`, [T0, s1.delivery.id])
    const [taken] = await claimConfigured(store, claimOpts(T0 + 1))
    expect(taken!.delivery.id).toBe(s1.delivery.id)

    // The stale holder answers with a late 410 for e1 (fenced off) and a 410 for e2 (still its lease).
    const gone = (c: Claim, e: EndpointRecord) =>
      completion(c, {
        state: 'dead',
        completedAt: T0 + 2,
        updatedAt: T0 + 2,
        attemptLog: [attempt(c, { endpointId: e.id, statusCode: 410, outcome: 'stop' })],
        disableEndpoints: [{ id: e.id, reason: 'responded 410' }],
      })
    const applied = await store.queue.complete({ completions: [gone(s1, e1!), gone(s2, e2!)] })
    expect(applied).toEqual([s2.delivery.id])
    expect(await store.catalog.getEndpoint({ id: e1!.id })).toMatchObject({ enabled: true, disabledReason: null })
    expect(await store.catalog.getEndpoint({ id: e2!.id })).toMatchObject({
      enabled: false,
      disabledReason: 'responded 410',
      updatedAt: T0 + 2,
    })
    expect((await store.queue.getDelivery({ id: s1.delivery.id }))!.state).toBe('pending')
    expect((await store.queue.getDelivery({ id: s2.delivery.id }))!.state).toBe('dead')
    // Attempts are logged for every completion, stale or not.
    expect(await store.queue.listAttempts({ deliveryId: s1.delivery.id })).toHaveLength(1)
    expect(await store.queue.listAttempts({ deliveryId: s2.delivery.id })).toHaveLength(1)

    // The new holder's write-back applies; a retried (now stale) write-back does not.
    expect(await store.queue.complete({ completions: [completion(taken!)] })).toEqual([taken!.delivery.id])
    expect(await store.queue.complete({ completions: [completion(taken!)] })).toEqual([])
    expect(await store.queue.complete({ completions: [] })).toEqual([])
  })

  it('returns applied ids in the order of the batch', async () => {
    const store = await freshStore()
    await setup(store)
    await store.queue.enqueue({ messages: Array.from({ length: 5 }, () => message()), idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const claims = (await claimConfigured(store, claimOpts())).reverse()
    const stale = { ...claims[2]!, leaseToken: 'not-the-token' }
    const batch = [claims[0]!, claims[1]!, stale, claims[3]!, claims[4]!].map((c) => completion(c))
    expect(await store.queue.complete({ completions: batch })).toEqual(
      [claims[0]!, claims[1]!, claims[3]!, claims[4]!].map((c) => c.delivery.id),
    )
  })
})

describe('postgres purge(): whole deliveries, bounded, keeping live idempotency keys', () => {
  it('removes up to limit whole deliveries per pass, however many attempts each has', async () => {
    const store = await freshStore()
    await setup(store)
    const N = 1_000
    await store.queue.enqueue({ messages: Array.from({ length: N }, () => message()), idempotencySince: 0 })
    expect(await expandOnce(store, { limit: N, now: T0 })).toBe(N)
    const claims = await claimConfigured(store, claimOpts(T0, N))
    expect(claims).toHaveLength(N)
    // Completed at T0 + i: the oldest must go first.
    const applied = await store.queue.complete({
      completions: claims.map((c, i) =>
        completion(c, {
          state: i % 2 ? 'dead' : 'delivered',
          completedAt: T0 + i,
          attemptLog: Array.from({ length: 5 }, (_, r) => attempt(c, { round: r + 1 })),
        }),
      ),
    })
    expect(applied).toHaveLength(N)
    expect(await count(store, 'attempts')).toBe(5 * N)

    const opts = { finishedBefore: T0 + N + 1, now: T0, limit: 500, keepIdempotencySince: T0 }
    expect(await store.housekeeping.purge(opts)).toEqual({ deliveries: 500, attempts: 2_500, messages: 500, results: 0 })
    // The survivors are the 500 completed last.
    const { rows } = await pool.query(`SELECT min(completed_at) AS m FROM "${store.schema}".deliveries`)
    expect(Number(rows[0].m)).toBe(T0 + 500)
    expect(await store.housekeeping.purge(opts)).toEqual({ deliveries: 500, attempts: 2_500, messages: 500, results: 0 })
    expect(await store.housekeeping.purge(opts)).toEqual({ deliveries: 0, attempts: 0, messages: 0, results: 0 })
    expect(await count(store, 'deliveries')).toBe(0)
    expect(await count(store, 'attempts')).toBe(0)
    expect(await count(store, 'messages')).toBe(0)
  })

  it('keeps pending deliveries, ones finished too recently, and their messages', async () => {
    const store = await freshStore()
    await setup(store)
    await store.queue.enqueue({ messages: Array.from({ length: 3 }, () => message()), idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const claims = await claimConfigured(store, claimOpts())
    await store.queue.complete({
      completions: [completion(claims[0]!, { completedAt: T0 }), completion(claims[1]!, { completedAt: T0 + 100 })],
    })
    expect(await store.housekeeping.purge({ finishedBefore: T0 + 50, now: T0, limit: 10, keepIdempotencySince: 0 })).toEqual({
      deliveries: 1,
      attempts: 0,
      messages: 1,
      results: 0,
    })
    expect(await store.queue.getDelivery({ id: claims[1]!.delivery.id })).toBeDefined()
    expect(await store.queue.getDelivery({ id: claims[2]!.delivery.id })).toMatchObject({ state: 'pending' })
    expect(await store.queue.getMessage({ id: claims[1]!.message.id })).toBeDefined()
    expect(await store.queue.getMessage({ id: claims[2]!.message.id })).toBeDefined()
  })

  it('keeps messages (and key rows) whose idempotency key is inside the window; purges older keyed ones', async () => {
    const store = await freshStore()
    await setup(store)
    const old = message({ idempotencyKey: 'old-key', createdAt: T0 })
    const live = message({ idempotencyKey: 'live-key', createdAt: T0 + 10 })
    const plain = message({ createdAt: T0 + 10 })
    await store.queue.enqueue({ messages: [old, live, plain], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 + 10 })
    const claims = await claimConfigured(store, claimOpts(T0 + 10))
    await store.queue.complete({ completions: claims.map((c) => completion(c, { state: 'dead', completedAt: T0 + 10 })) })

    const counts = await store.housekeeping.purge({ finishedBefore: T0 + 100, now: T0 + 100, limit: 10, keepIdempotencySince: T0 + 5 })
    expect(counts).toEqual({ deliveries: 3, attempts: 0, messages: 2, results: 0 })
    expect(await store.queue.getMessage({ id: old.id })).toBeUndefined()
    expect(await store.queue.getMessage({ id: plain.id })).toBeUndefined()
    expect(await store.queue.getMessage({ id: live.id })).toBeDefined()
    const { rows } = await pool.query(`SELECT key FROM "${store.schema}".idempotency_keys ORDER BY key`)
    expect(rows.map((r) => r.key)).toEqual(['live-key'])
    // The live key still resolves to its message; the old one is free again.
    const [dup, fresh] = await store.queue.enqueue({
      messages: [message({ idempotencyKey: 'live-key', createdAt: T0 + 20 }), message({ idempotencyKey: 'old-key', createdAt: T0 + 20 })],
      idempotencySince: T0 + 5,
    })
    expect(dup).toMatchObject({ messageId: live.id, duplicate: true })
    expect(fresh!.duplicate).toBe(false)

    // Once the window has passed, the message and its key go.
    expect(
      await store.housekeeping.purge({ finishedBefore: T0 + 100, now: T0 + 100, limit: 10, keepIdempotencySince: T0 + 11 }),
    ).toMatchObject({
      messages: 1,
    })
    expect(await store.queue.getMessage({ id: live.id })).toBeUndefined()
    expect(await count(store, 'idempotency_keys', `key = 'live-key'`)).toBe(0)
  })

  it('does not delete a key row that another, newer message took over', async () => {
    const store = await freshStore()
    await setup(store)
    const first = message({ idempotencyKey: 'k', createdAt: T0 })
    await store.queue.enqueue({ messages: [first], idempotencySince: 0 })
    const second = message({ idempotencyKey: 'k', createdAt: T0 + 50 })
    const [out] = await store.queue.enqueue({ messages: [second], idempotencySince: T0 + 1 })
    expect(out!.duplicate).toBe(false)
    await expandOnce(store, { limit: 10, now: T0 + 50 })
    const claims = await claimConfigured(store, claimOpts(T0 + 50))
    await store.queue.complete({ completions: claims.map((c) => completion(c, { completedAt: T0 + 50 })) })
    const counts = await store.housekeeping.purge({ finishedBefore: T0 + 100, now: T0 + 100, limit: 10, keepIdempotencySince: T0 + 40 })
    expect(counts).toMatchObject({ deliveries: 2, messages: 1 })
    expect(await store.queue.getMessage({ id: first.id })).toBeUndefined()
    const { rows } = await pool.query(`SELECT message_id FROM "${store.schema}".idempotency_keys WHERE key = 'k'`)
    expect(rows).toEqual([{ message_id: second.id }])
  })

  it('skips deliveries locked by another transaction instead of waiting', async () => {
    const store = await freshStore()
    await setup(store)
    await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const claims = await claimConfigured(store, claimOpts())
    await store.queue.complete({ completions: claims.map((c) => completion(c, { attemptLog: [attempt(c)] })) })
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`SELECT 1 FROM "${store.schema}".deliveries WHERE id = $1 FOR UPDATE`, [claims[0]!.delivery.id])
      const counts = await store.housekeeping.purge({ finishedBefore: T0 + 1, now: T0, limit: 10, keepIdempotencySince: 0 })
      expect(counts).toMatchObject({ deliveries: 1, attempts: 1 })
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    expect(await store.queue.getDelivery({ id: claims[0]!.delivery.id })).toBeDefined()
    expect(await store.queue.listAttempts({ deliveryId: claims[0]!.delivery.id })).toHaveLength(1)
    expect(await store.housekeeping.purge({ finishedBefore: T0 + 1, now: T0, limit: 10, keepIdempotencySince: 0 })).toMatchObject({
      deliveries: 1,
      attempts: 1,
    })
  })

  it('removes up to limit expired results', async () => {
    const store = await freshStore()
    for (let i = 0; i < 5; i++)
      await store.housekeeping.putResult({
        result: { tenant: null, requestId: `r${i}`, status: 200, body: null, createdAt: T0, expiresAt: T0 + i },
      })
    expect(await store.housekeeping.purge({ finishedBefore: T0, now: T0 + 3, limit: 3, keepIdempotencySince: 0 })).toMatchObject({
      results: 3,
    })
    expect(await store.housekeeping.purge({ finishedBefore: T0, now: T0 + 3, limit: 3, keepIdempotencySince: 0 })).toMatchObject({
      results: 1,
    })
    expect(await store.housekeeping.getResult({ requestId: 'r4', tenant: null, now: T0 + 3 })).toBeDefined()
  })
})

describe("postgres replay (transition with core's rule): keeps acknowledgements", () => {
  it('keeps acked progress entries, clears the others, and resets the schedule', async () => {
    const store = await freshStore()
    const [e1, e2, e3] = await setup(store, 'majority', 3)
    await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const [c] = await claimConfigured(store, claimOpts())
    expect(c!.delivery.targets).toHaveLength(3)
    const progress = { [e1!.id]: 'acked', [e2!.id]: 'stopped', [e3!.id]: 'gone' } as const
    await store.queue.complete({
      completions: [
        completion(c!, { state: 'dead', attempts: 4, progress, lastError: 'HTTP 500', completedAt: T0 + 5, updatedAt: T0 + 5 }),
      ],
    })

    expect(await requeue(store, [c!.delivery.id], T0 + 100, ['dead'])).toEqual([c!.delivery.id])
    expect(await store.queue.getDelivery({ id: c!.delivery.id })).toMatchObject({
      state: 'pending',
      attempts: 0,
      nextAttemptAt: T0 + 100,
      windowStart: T0 + 100,
      completedAt: null,
      lastError: 'HTTP 500',
      updatedAt: T0 + 100,
      progress: { [e1!.id]: 'acked' },
    })
    const { rows } = await pool.query(`SELECT lease_owner, lease_until, lease_token FROM "${store.schema}".deliveries WHERE id = $1`, [
      c!.delivery.id,
    ])
    expect(rows).toEqual([{ lease_owner: null, lease_until: null, lease_token: null }])
    // It is claimable again at once, carrying the acknowledgement.
    const [again] = await claimConfigured(store, claimOpts(T0 + 100))
    expect(again!.delivery.progress).toEqual({ [e1!.id]: 'acked' })
  })

  it('clears progress with no acknowledgement to an empty object, and skips states not asked for', async () => {
    const store = await freshStore()
    const [e1, e2] = await setup(store, 'majority', 2)
    await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
    await expandOnce(store, { limit: 10, now: T0 })
    const [c] = await claimConfigured(store, claimOpts())
    await store.queue.complete({ completions: [completion(c!, { state: 'failed', progress: { [e1!.id]: 'stopped', [e2!.id]: 'gone' } })] })
    expect(await requeue(store, [c!.delivery.id], T0 + 1, ['dead'])).toEqual([])
    expect(await requeue(store, [c!.delivery.id], T0 + 1, ['dead', 'failed'])).toEqual([c!.delivery.id])
    expect((await store.queue.getDelivery({ id: c!.delivery.id }))!.progress).toEqual({})
  })
})

describe('postgres claim(): ordering behind an unexpanded message', () => {
  it('holds a delivery while an earlier message with its key is locked by another expansion, and releases it after', async () => {
    const store = await freshStore()
    await setup(store)
    const a = message({ orderingKey: 'k' })
    const b = message({ orderingKey: 'k' })
    await store.queue.enqueue({ messages: [a, b], idempotencySince: 0 })
    // Another dispatcher's expansion holds `a`: this one skips it (SKIP LOCKED) and expands `b`.
    const other = await pool.connect()
    try {
      await other.query('BEGIN')
      await other.query(`SELECT 1 FROM "${store.schema}".messages WHERE id = $1 FOR UPDATE`, [a.id])
      expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(1)
      expect(await claimConfigured(store, claimOpts())).toEqual([])
    } finally {
      await other.query('ROLLBACK')
      other.release()
    }
    expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(1)
    expect((await claimConfigured(store, claimOpts())).map((c) => c.message.id)).toEqual([a.id])
  })
})
