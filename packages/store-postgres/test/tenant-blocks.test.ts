import { collection, endpoint, expandOnce, message, pagedDeliveryIds, T0 } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { plansWithoutSeqScans, recordStatements, testSchema } from './helpers.js'

const t = testSchema('hb_tenant_blocks', 3)

afterAll(() => t.drop())

/** The pool's statements as they ran (text and values), for EXPLAIN. */
const ran = recordStatements(t.pool)

describe('postgres: the messages’ and deliveries’ tenant indexes are kept by block of sequence numbers (migration 14)', () => {
  const store = postgresStore({ pool: t.pool, schema: t.schema })
  const s = `"${t.schema}"`

  it('a tenant’s list, stats and purge find its rows in every block, gaps included, and leave the others; they seek the block indexes', async () => {
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    for (const tenant of ['acme', 'other']) await store.catalog.insertEndpoint({ endpoint: endpoint({ tenant }) })
    // Messages in blocks 0, 1 and 9 of 4,096 sequence numbers (deliveries: 0, 16 and 146 of 256), none between.
    for (const next of [0, 4095, 40_000]) {
      if (next > 0) await t.pool.query(`SELECT setval(pg_get_serial_sequence('${s}.messages', 'seq'), ${next})`)
      const messages = [0, 1].flatMap(() => ['acme', 'other'].map((tenant) => message({ tenant, createdAt: T0 })))
      await store.queue.enqueue({ messages, idempotencySince: 0 })
    }
    expect(await expandOnce(store, { limit: 100, now: T0 })).toBe(12)
    const { rows: blocks } = await t.pool.query(`SELECT DISTINCT seq >> 12 AS b FROM ${s}.messages WHERE tenant = 'acme' ORDER BY b`)
    expect(blocks.map((r) => Number(r.b))).toEqual([0, 1, 9])
    // Every delivery has an attempt, and each tenant one more whose delivery is gone (what a
    // write-back that lost its lease logs after a purge removed the delivery): purged by tenant.
    await t.pool.query(`INSERT INTO ${s}.attempts (id, delivery_id, endpoint_id, round, url, started_at, latency_ms, outcome, tenant)
      SELECT d.id || 'a', d.id, d.endpoint_id, 1, 'http://x', 0, 1, 'ok', d.tenant FROM ${s}.deliveries d
      UNION ALL SELECT 'gone-' || t, 'gone-' || t, 'gone', 1, 'http://x', 0, 1, 'ok', t FROM unnest(ARRAY['acme', 'other']) AS t`)

    // Pages in id order across the blocks, as (tenant, id) gave them.
    const { rows: all } = await t.pool.query(`SELECT id FROM ${s}.deliveries WHERE tenant = 'acme' ORDER BY id`)
    ran.length = 0
    const paged = await pagedDeliveryIds(store, { tenant: 'acme' }, 4)
    expect(paged).toEqual(all.map((r) => r.id))
    expect(paged).toHaveLength(6)
    const stats = await store.housekeeping.stats({ now: T0, tenant: 'acme' })
    expect(stats.pending).toBe(6)

    // Each tenant read, with sequential scans off, can seek the block index (none scans the table).
    const reads = ran.filter((r) => /tenant_block|>> (8|12)/.test(r.text) || /"deliveries"/.test(r.text))
    expect(reads.length).toBeGreaterThanOrEqual(2)
    for (const plan of await plansWithoutSeqScans(t.pool, reads)) {
      expect(plan).toMatch(/deliveries_tenant_block/)
      expect(plan).not.toMatch(/Seq Scan on deliveries/)
    }

    const counts = await store.housekeeping.purgeTenant({ tenant: 'acme' })
    expect(counts).toMatchObject({ messages: 6, deliveries: 6, attempts: 7, endpoints: 1 })
    for (const [table, n] of [
      ['messages', 6],
      ['deliveries', 6],
      ['attempts', 7],
    ] as const) {
      const { rows } = await t.pool.query(`SELECT tenant, count(*)::int AS n FROM ${s}.${table} GROUP BY tenant`)
      expect(rows).toEqual([{ tenant: 'other', n }])
    }
    await store.close()
  })
})
