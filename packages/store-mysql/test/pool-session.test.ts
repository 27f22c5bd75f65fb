import { collection, completion, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { createHook } from 'node:async_hooks'
import type { MysqlPool, MysqlPoolConnection } from 'kysely'
import { createPool } from 'mysql2'
import { afterAll, describe, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { attempt, mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_session')
afterAll(() => databases.end())

const LEASE = { leaseMs: 30_000, owner: 'test' }
const BATCH = 20

/** Promises created while `fn` runs (an async hook: counts what the code path makes, whatever the machine's load). */
async function promisesOf(fn: () => Promise<unknown>): Promise<number> {
  let n = 0
  const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && n++) })
  hook.enable()
  try {
    await fn()
  } finally {
    hook.disable()
  }
  return n
}

/** A real mysql2 pool of `size` connections whose statements are recorded, as the server receives them. */
function tappedPool(size: number) {
  const pool = createPool({ uri: mysqlUrl, connectionLimit: size })
  const statements: string[] = []
  const tapped: MysqlPool = {
    getConnection: (callback) =>
      pool.getConnection((error, connection) =>
        callback(error, {
          query: ((sql: string, parameters: unknown[], cb: never) => {
            statements.push(sql)
            return (connection as unknown as MysqlPoolConnection).query(sql, parameters, cb)
          }) as MysqlPoolConnection['query'],
          release: () => connection.release(),
        }),
      ),
    end: (callback) => pool.end(callback),
  }
  return { pool: tapped, statements, end: () => pool.promise().end() }
}

/** A fresh database with one collection and endpoint, and `n` deliveries due. */
async function seeded(pool: MysqlPool | ReturnType<typeof createPool>, n: number) {
  const database = await databases.create()
  const store = mysqlStore({ pool, database })
  await store.housekeeping.migrate()
  await store.catalog.upsertCollection({ collection: collection() })
  const ep = endpoint()
  await store.catalog.insertEndpoint({ endpoint: ep })
  await store.queue.enqueue({ messages: Array.from({ length: n }, () => message()), idempotencySince: 0 })
  await expandOnce(store, { limit: n, now: T0 })
  return { store, database, endpointId: ep.id }
}

describe('mysql on { pool }: the hot path runs straight on the pool', () => {
  it('a warm claim and write-back of a batch make a bounded number of promises', async () => {
    const { store, endpointId } = await seeded(databases.pool, 3 * BATCH)
    const round = async () => {
      const { leased } = await store.queue.claim({ ...LEASE, limit: BATCH, now: T0 })
      expect(leased).toHaveLength(BATCH)
      const applied = await store.queue.complete({
        completions: leased.map((c) => completion(c, { attemptLog: [attempt(c.delivery.id, endpointId)] })),
      })
      expect(applied).toHaveLength(BATCH)
    }
    await round() // the statements' texts are built and kept
    // 73 here; 216 when every statement went through kysely's executor and driver.
    for (const n of [await promisesOf(round), await promisesOf(round)]) expect(n).toBeLessThanOrEqual(100)
  })

  it('a claim and a write-back are one transaction each, their round trips unchanged', async () => {
    const tap = tappedPool(2)
    try {
      const { store, endpointId } = await seeded(tap.pool, 2)
      tap.statements.length = 0
      const { leased } = await store.queue.claim({ ...LEASE, limit: 10, now: T0 })
      const claim = tap.statements.splice(0)
      expect(claim.map((q) => q.split(/\s/)[0]!.toUpperCase())).toEqual(['SET', 'BEGIN', 'SELECT', 'UPDATE', 'COMMIT', 'SELECT'])
      expect(claim[0]!.toUpperCase()).toBe('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
      await store.queue.complete({ completions: leased.map((c) => completion(c, { attemptLog: [attempt(c.delivery.id, endpointId)] })) })
      expect(tap.statements.map((q) => q.split(/\s/)[0]!.toUpperCase())).toEqual(['BEGIN', 'UPDATE', 'INSERT', 'COMMIT'])
    } finally {
      await tap.end()
    }
  })

  it('a write-back rolled back on its one connection leaves it out of any transaction: the next writes commit', async () => {
    const tap = tappedPool(1)
    try {
      const { store, database, endpointId } = await seeded(tap.pool, 2)
      const other = mysqlStore({ pool: databases.pool, database }).queue
      const first = (await store.queue.claim({ ...LEASE, limit: 10, now: T0 })).leased
      // Another dispatcher takes one lease over once it runs out: the first holder's outcome is stale.
      const [again] = (await other.claim({ ...LEASE, owner: 'other', limit: 1, now: T0 + 30_000 })).leased
      const stale = first.find((c) => c.delivery.id === again!.delivery.id)!
      const fresh = first.find((c) => c.delivery.id !== again!.delivery.id)!
      tap.statements.length = 0
      const applied = await store.queue.complete({
        completions: [stale, fresh].map((c) => completion(c, { attemptLog: [attempt(c.delivery.id, endpointId)] })),
      })
      expect(applied).toEqual([fresh.delivery.id])
      expect(tap.statements.filter((q) => q.toUpperCase() === 'ROLLBACK')).toHaveLength(1)
      // Read on another pool: what the store's only connection wrote after the rollback is committed.
      expect((await other.getDelivery({ id: fresh.delivery.id }))!.state).toBe('delivered')
      expect((await other.getDelivery({ id: stale.delivery.id }))!).toMatchObject({ state: 'pending' })
      expect(await other.listAttempts({ deliveryId: stale.delivery.id })).toHaveLength(1)
    } finally {
      await tap.end()
    }
  })
})
