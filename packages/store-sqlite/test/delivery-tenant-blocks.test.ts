import { collection, endpoint, expandOnce, message, pagedDeliveryIds, T0 } from '@hookbox/core/testing'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { DELETE_DELIVERIES } from '../src/queries/purge-tenant.js'
import { tempDatabase } from './support.js'

describe('sqlite: the deliveries’ tenant index is kept by block of message sequence numbers', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  /** A migrated store with collection `events` and one endpoint each for `acme` and `other`. */
  async function routed(database: Database.Database) {
    const store = sqliteStore({ database })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    for (const tenant of ['acme', 'other']) await store.catalog.insertEndpoint({ endpoint: endpoint({ tenant }) })
    return store
  }

  it('a tenant’s list, stats and purge find its deliveries in every block, gaps included, and leave the others', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = await routed(t.db)
    // Messages (and so deliveries) in blocks 0, 1 and 9 of 256 sequence numbers, none between 1 and 9.
    for (const next of [0, 255, 2400]) {
      if (next > 0) t.db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'hookbox_messages'").run(next)
      const messages = [0, 1].flatMap(() => ['acme', 'other'].map((tenant) => message({ tenant, createdAt: T0 })))
      await store.queue.enqueue({ messages, idempotencySince: 0 })
    }
    expect(await expandOnce(store, { limit: 100, now: T0 })).toBe(12)
    const blocks = t.db.prepare("SELECT DISTINCT message_seq >> 8 AS b FROM hookbox_deliveries WHERE tenant = 'acme' ORDER BY b").all()
    expect(blocks).toEqual([{ b: 0 }, { b: 1 }, { b: 9 }])

    // Pages in id order across the blocks, as (tenant, id) gave them.
    const all = t.db.prepare("SELECT id FROM hookbox_deliveries WHERE tenant = 'acme' ORDER BY id").pluck().all()
    const paged = await pagedDeliveryIds(store, { tenant: 'acme' }, 4)
    expect(paged).toEqual(all)
    expect(paged).toHaveLength(6)
    expect((await store.housekeeping.stats({ now: T0, tenant: 'acme' })).pending).toBe(6)

    expect((await store.housekeeping.purgeTenant({ tenant: 'acme' })).deliveries).toBe(6)
    const left = t.db.prepare('SELECT tenant, count(*) AS n FROM hookbox_deliveries GROUP BY tenant').all()
    expect(left).toEqual([{ tenant: 'other', n: 6 }])
    await store.close()
  })

  it('a tenant’s reads and purge seek (block, tenant) through the index, never scan the deliveries; by message, the message index', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    // A second connection that records every statement the store runs.
    const statements = new Set<string>()
    const db = new Database(t.path, { verbose: (s) => statements.add(String(s)) })
    cleanups.push(() => db.close())
    const store = await routed(db)
    await store.queue.listDeliveries({ tenant: 'acme' })
    await store.queue.listDeliveries({ tenant: 'acme', state: 'dead', after: '0', limit: 500 })
    await store.housekeeping.stats({ now: T0, tenant: 'acme' })
    const reads = [...statements].filter((s) => /^\s*select/i.test(s) && /hookbox_deliveries/.test(s) && /tenant = 'acme'/.test(s))
    expect(reads).toHaveLength(3)
    for (const s of [...reads, DELETE_DELIVERIES]) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${s}`).all(...(s === DELETE_DELIVERIES ? ['acme'] : [])) as Array<{ detail: string }>
      const detail = plan.map((p) => p.detail).join('\n')
      expect(detail).toMatch(/SEARCH (d|hookbox_deliveries) USING INDEX hookbox_deliveries_tenant_block \(<expr>=\? AND tenant=\?\)/)
      expect(detail).not.toMatch(/SCAN (d|hookbox_deliveries)\b/)
    }
    // By request or message, the message index finds the rows; the tenant only filters them.
    statements.clear()
    await store.queue.listDeliveries({ tenant: 'acme', requestId: 'req-1' })
    await store.queue.listDeliveries({ tenant: 'acme', messageId: 'msg-1' })
    const byMessage = [...statements].filter((s) => /^\s*select/i.test(s) && /hookbox_deliveries/.test(s))
    expect(byMessage).toHaveLength(2)
    for (const s of byMessage) {
      const detail = (db.prepare(`EXPLAIN QUERY PLAN ${s}`).all() as Array<{ detail: string }>).map((p) => p.detail).join('\n')
      expect(detail).toMatch(/SEARCH d USING INDEX hookbox_deliveries_message \(message_id=\?\)/)
    }
    await store.close()
  })
})
