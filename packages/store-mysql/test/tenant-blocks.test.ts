import { newId } from '@hookbox/core'
import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { Kysely, MysqlDialect, type CompiledQuery } from 'kysely'
import { createPool } from 'mysql2'
import { afterAll, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_tblocks', 4)
afterAll(() => databases.end())

async function rows<T>(q: string, params: unknown[] = []): Promise<T[]> {
  return (await databases.pool.promise().query(q, params))[0] as T[]
}

const STATES = ['delivered', 'delivered', 'pending', 'dead'] as const

/**
 * `n` expanded messages with sequence numbers from 1 and one delivery each, tenants `t0` to
 * `t<tenants - 1>` in turn (neighbours belong to different tenants), each tenant's states in
 * turn from {@link STATES}: history the tenant index holds, written in a few statements.
 */
async function prefill(database: string, n: number, tenants: number): Promise<void> {
  const d = `\`${database}\``
  for (let i0 = 0; i0 < n; i0 += 2000) {
    const seqs = Array.from({ length: Math.min(2000, n - i0) }, (_, k) => i0 + k + 1)
    const ids = seqs.map((seq) => newId(T0 + seq))
    await rows(
      `INSERT INTO ${d}.hookbox_messages (seq, id, tenant, type, payload, request_id, created_at, expanded) VALUES ${seqs.map(() => "(?, ?, ?, 'entity.changed', '{}', ?, ?, 1)").join(', ')}`,
      seqs.flatMap((seq, k) => [seq, ids[k], `t${seq % tenants}`, ids[k], T0]),
    )
    await rows(
      `INSERT INTO ${d}.hookbox_deliveries (id, message_id, message_seq, tenant, collection, failure_mode, endpoint_id, targets, progress, state, attempts, next_attempt_at, window_start, created_at, updated_at, completed_at)
       VALUES ${seqs.map(() => "(?, ?, ?, ?, 'events', 'each', NULL, '[]', '{}', ?, 1, ?, ?, ?, ?, ?)").join(', ')}`,
      seqs.flatMap((seq, k) => {
        const state = STATES[Math.floor(seq / tenants) % STATES.length]!
        const pending = state === 'pending'
        return [newId(T0 + seq), ids[k], seq, `t${seq % tenants}`, state, pending ? T0 : null, T0, T0, T0, pending ? null : T0]
      }),
    )
  }
  await rows(`ANALYZE TABLE ${d}.hookbox_messages, ${d}.hookbox_deliveries`)
}

it('an expansion spread over 300 tenants modifies a few pages of the deliveries’ tenant index, not one per tenant', async () => {
  const database = await databases.create()
  const store = mysqlStore({ pool: databases.pool, database })
  await store.housekeeping.migrate()
  await store.catalog.upsertCollection({ collection: collection() })
  const tenants = Array.from({ length: 300 }, (_, k) => `t${k}`)
  for (let k = 0; k < tenants.length; k += 20)
    await Promise.all(tenants.slice(k, k + 20).map((tenant) => store.catalog.insertEndpoint({ endpoint: endpoint({ tenant }) })))
  // 40,000 deliveries of history: led by the tenant, the index spans about 150 leaves.
  await prefill(database, 40_000, tenants.length)
  await store.queue.enqueue({ messages: tenants.map((tenant) => message({ tenant })), idempotencySince: 0 })

  const lsn = async () => (await rows<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_lsn_current'"))[0]!.Value
  const since = await lsn()
  while ((await expandOnce(store, { limit: 100, now: T0 })) > 0);
  const [count] = await rows<{ n: number }>(`SELECT count(*) AS n FROM \`${database}\`.hookbox_deliveries`)
  expect(Number(count!.n)).toBe(40_300)
  // Pages of the buffer pool whose newest change came after the expansion began (a page
  // evicted meanwhile is not counted, which only lowers the count).
  const pages = await rows<{ index: string; n: number }>(
    `SELECT INDEX_NAME AS \`index\`, count(*) AS n FROM information_schema.INNODB_BUFFER_PAGE
     WHERE TABLE_NAME = ? AND INDEX_NAME LIKE '%tenant%' AND NEWEST_MODIFICATION > ? GROUP BY INDEX_NAME`,
    [`\`${database}\`.\`hookbox_deliveries\``, since],
  )
  // Block-led, the 300 new entries fall in the newest two blocks' few leaves (measured: 2 to 4);
  // led by the tenant, in about 100 leaves.
  expect(pages.reduce((sum, p) => sum + Number(p.n), 0)).toBeLessThanOrEqual(8)
  expect(pages.map((p) => p.index)).toEqual(['hookbox_deliveries_tenant_block'])
  await store.close()
})

it('every read and delete of a tenant’s deliveries seeks the block-led index, never scans the table', async () => {
  const database = await databases.create()
  const statements: CompiledQuery[] = []
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createPool({ uri: mysqlUrl, connectionLimit: 2 }) }),
    log: (e) => void statements.push(e.query),
  })
  const store = mysqlStore({ db, database })
  await store.housekeeping.migrate()
  // 20,000 deliveries of 200 tenants over 79 blocks.
  await prefill(database, 20_000, 200)

  statements.length = 0
  const mine = await store.queue.listDeliveries({ tenant: 't7', limit: 100 })
  const dead = await store.queue.listDeliveries({ tenant: 't7', state: 'dead', limit: 500 })
  const stats = await store.housekeeping.stats({ now: T0, tenant: 't7' })
  const purged = await store.housekeeping.purgeTenant({ tenant: 't7' })
  const ofTenant = statements.filter((q) => /hookbox_deliveries/.test(q.sql) && q.parameters.includes('t7'))
  expect(mine).toHaveLength(100)
  expect(mine.every((r) => r.tenant === 't7')).toBe(true)
  expect(dead.map((r) => r.state)).toEqual(Array(25).fill('dead'))
  expect(stats.pending).toBe(25)
  expect(purged.deliveries).toBe(100)

  expect(ofTenant.map((q) => q.sql.trim().split(/\s/)[0]!.toUpperCase())).toEqual(['SELECT', 'SELECT', 'SELECT', 'DELETE'])
  for (const q of ofTenant) {
    const plan = await rows<{ table: string; type: string; key: string | null; Extra: string }>(`EXPLAIN ${q.sql}`, [...q.parameters])
    // The table is read by seeks only: the block list (a loose scan of the index, a seek per
    // block), (block, tenant) per block, or a range the optimizer costs lower (`failed` through
    // hookbox_deliveries_final when there are hardly any); never a scan of it or of an index.
    const reads = plan.filter((p) => p.table === 'd' || p.table === 'hookbox_deliveries')
    for (const p of reads) expect(['ref', 'range', 'eq_ref'], `${q.sql}\n${JSON.stringify(p)}`).toContain(p.type)
    expect(reads.filter((p) => p.Extra.includes('Using index for group-by')).length, q.sql).toBeGreaterThanOrEqual(1)
    expect(reads.filter((p) => p.type === 'ref' && p.key === 'hookbox_deliveries_tenant_block').length, q.sql).toBeGreaterThanOrEqual(1)
  }
  await store.close()
  await db.destroy()
})
