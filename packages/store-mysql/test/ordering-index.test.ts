import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool } from 'mysql2'
import { afterAll, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_ordidx')
afterAll(() => databases.end())

async function rows<T>(q: string, params: unknown[] = []): Promise<T[]> {
  return (await databases.pool.promise().query(q, params))[0] as T[]
}

/** Each index of `table` and its columns in order. */
async function indexes(database: string, table: string): Promise<Record<string, string[]>> {
  const r = await rows<{ i: string; c: string }>(
    'SELECT INDEX_NAME AS i, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX',
    [database, table],
  )
  const out: Record<string, string[]> = {}
  for (const { i, c } of r) (out[i] ??= []).push(c)
  return out
}

it('the ordering indexes lead with key and sequence, the tenant last (rows without a key append, whatever their tenant)', async () => {
  const database = await databases.create()
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createPool({ uri: mysqlUrl, connectionLimit: 2 }) }) })
  const store = mysqlStore({ db, database })
  await store.housekeeping.migrate()
  const deliveries = await indexes(database, 'hookbox_deliveries')
  expect(deliveries.hookbox_deliveries_ordering_seq).toEqual(['ordering_key', 'collection', 'state', 'message_seq', 'tenant'])
  expect(deliveries.hookbox_deliveries_ordering).toBeUndefined()
  const messages = await indexes(database, 'hookbox_messages')
  expect(messages.hookbox_messages_ordering_seq).toEqual(['ordering_key', 'expanded', 'seq', 'tenant'])
  expect(messages.hookbox_messages_ordering).toBeUndefined()
  await store.close()
  await db.destroy()
})

it("the claim's ordering checks read the ordering indexes", async () => {
  const database = await databases.create()
  const statements: Array<{ sql: string; parameters: readonly unknown[] }> = []
  const pool = createPool({ uri: mysqlUrl, connectionLimit: 2 })
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }), log: (e) => void statements.push(e.query) })
  const store = mysqlStore({ db, database })
  await store.housekeeping.migrate()
  await store.catalog.upsertCollection({ collection: collection() })
  for (const tenant of [null, 'acme']) await store.catalog.insertEndpoint({ endpoint: endpoint({ tenant }) })
  // 40 keys × 2 tenants × 5 messages: a key's run is short, so its rows are found by key.
  const batch = Array.from({ length: 400 }, (_, i) => message({ tenant: i % 2 ? 'acme' : null, orderingKey: `k${Math.floor(i / 2) % 40}` }))
  await store.queue.enqueue({ messages: batch.slice(0, 300), idempotencySince: 0 })
  await expandOnce(store, { limit: 300, now: T0 })
  // Unexpanded messages too, so the messages' ordering check has rows to look among.
  await store.queue.enqueue({ messages: batch.slice(300), idempotencySince: 0 })
  for (const t of ['hookbox_deliveries', 'hookbox_messages']) await rows(`ANALYZE TABLE \`${database}\`.${t}`)
  statements.length = 0
  const { leased } = await store.queue.claim({ leaseMs: 30_000, owner: 'test', limit: 10, now: T0 })
  expect(leased.length).toBeGreaterThan(0)
  const pick = statements.find((s) => /skip locked/i.test(s.sql) && /ordering_key/.test(s.sql))
  expect(pick).toBeDefined()
  const plan = await rows<{ table: string; key: string | null }>(`EXPLAIN ${pick!.sql}`, [...pick!.parameters])
  const keyOf = (alias: string) => plan.find((r) => r.table === alias)?.key
  expect(keyOf('p')).toBe('hookbox_deliveries_ordering_seq')
  expect(keyOf('m')).toBe('hookbox_messages_ordering_seq')
  await store.close()
  await db.destroy()
})
