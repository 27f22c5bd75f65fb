import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { plansWithoutSeqScans, recordStatements, testSchema } from './helpers.js'

const t = testSchema('hb_message_block', 3)

afterAll(() => t.drop())

/** The pool's statements as they ran (text and values), for EXPLAIN. */
const ran = recordStatements(t.pool)

describe('postgres: a message’s deliveries are found through the block index, which has no message index beside it (migration 21)', () => {
  const store = postgresStore({ pool: t.pool, schema: t.schema })
  const s = `"${t.schema}"`

  it('lists a message’s deliveries and purges a message once it has none, seeking deliveries_tenant_block_seq', async () => {
    await store.housekeeping.migrate()
    const { rows: indexes } = await t.pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = '${t.schema}' AND tablename = 'deliveries'`,
    )
    // Each index costs every delivery two entries: its insert and its final write-back.
    expect(indexes.map((r) => r.indexname)).not.toContain('deliveries_message_id')
    expect(indexes.map((r) => r.indexname)).toContain('deliveries_tenant_block_seq')

    await store.catalog.upsertCollection({ collection: collection() })
    for (const tenant of ['acme', 'other']) await store.catalog.insertEndpoint({ endpoint: endpoint({ tenant }) })
    const messages = ['acme', 'other', 'acme'].map((tenant) => message({ tenant, createdAt: T0 }))
    await store.queue.enqueue({ messages, idempotencySince: 0 })
    expect(await expandOnce(store, { limit: 100, now: T0 })).toBe(3)

    ran.length = 0
    const listed = await store.queue.listDeliveries({ messageId: messages[2]!.id })
    expect(listed.map((d) => [d.messageId, d.tenant])).toEqual([[messages[2]!.id, 'acme']])
    expect(await store.queue.listDeliveries({ messageId: 'no-such-message' })).toEqual([])
    // Retention: a message goes only once its deliveries are gone.
    await t.pool.query(`DELETE FROM ${s}.deliveries WHERE message_id = '${messages[0]!.id}'`)
    const purged = await store.housekeeping.purge({ finishedBefore: T0 + 1, keepIdempotencySince: T0 + 1, now: T0, limit: 100 })
    expect(purged.messages).toBe(1)
    const { rows: left } = await t.pool.query(`SELECT id FROM ${s}.messages ORDER BY seq`)
    expect(left.map((r) => r.id)).toEqual([messages[1]!.id, messages[2]!.id])

    // With sequential scans off, each of those reads of deliveries seeks the block index.
    const reads = ran.filter((r) => /message_seq >> 8/.test(r.text))
    expect(reads.length).toBeGreaterThanOrEqual(2)
    for (const plan of await plansWithoutSeqScans(t.pool, reads)) {
      expect(plan).toMatch(/deliveries_tenant_block_seq/)
      expect(plan).not.toMatch(/Seq Scan on deliveries/)
    }
  })
})
