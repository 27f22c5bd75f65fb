import { collection, completion, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { afterAll, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { testDatabases } from './support.js'

const databases = testDatabases('hb_pendidx', 2)
afterAll(() => databases.end())

async function rows<T>(q: string, params: unknown[] = []): Promise<T[]> {
  return (await databases.pool.promise().query(q, params))[0] as T[]
}

it("the by-endpoint key holds the endpoint of pending deliveries only (finished ones sort by id, not under their endpoint's)", async () => {
  const database = await databases.create()
  const store = mysqlStore({ pool: databases.pool, database })
  await store.housekeeping.migrate()
  const columns = await rows<{ c: string }>(
    "SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'hookbox_deliveries' AND INDEX_NAME = 'hookbox_deliveries_pending_endpoint' ORDER BY SEQ_IN_INDEX",
    [database],
  )
  expect(columns.map((r) => r.c)).toEqual(['state', 'pending_endpoint_id', 'next_attempt_at'])
  const old = await rows(
    "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME = 'hookbox_deliveries_endpoint_due'",
    [database],
  )
  expect(old).toHaveLength(0)

  await store.catalog.upsertCollection({ collection: collection() })
  const ep = endpoint()
  await store.catalog.insertEndpoint({ endpoint: ep })
  await store.queue.enqueue({ messages: [message(), message(), message()], idempotencySince: 0 })
  await expandOnce(store, { limit: 10, now: T0 })
  const { leased } = await store.queue.claim({ leaseMs: 30_000, owner: 'test', limit: 1, now: T0 })
  await store.queue.complete({ completions: [completion(leased[0]!)] })
  const byState = await rows<{ state: string; pending_endpoint_id: string | null }>(
    `SELECT state, pending_endpoint_id FROM \`${database}\`.hookbox_deliveries FORCE INDEX (hookbox_deliveries_pending_endpoint) ORDER BY state`,
  )
  expect(byState).toEqual([
    { state: 'delivered', pending_endpoint_id: null },
    { state: 'pending', pending_endpoint_id: ep.id },
    { state: 'pending', pending_endpoint_id: ep.id },
  ])
  await store.close()
})
