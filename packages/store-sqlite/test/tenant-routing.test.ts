import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

describe('sqlite: routing reads only the message tenant’s endpoints', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  it('expansion looks endpoints up through (collection, tenant), whatever the number of tenants', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    for (let i = 0; i < 300; i++) await store.catalog.insertEndpoint({ endpoint: endpoint({ tenant: `t${i}` }) })
    const mine = endpoint({ tenant: 'acme' })
    await store.catalog.insertEndpoint({ endpoint: mine })
    t.db.exec('ANALYZE')
    const plan = t.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM hookbox_endpoints WHERE collection IN ('events') AND tenant IN ('acme') AND enabled = 1 ORDER BY id",
      )
      .all() as Array<{ detail: string }>
    // An index look-up by tenant (with or without the collection), never a scan of every endpoint.
    const detail = plan.map((p) => p.detail).join('\n')
    expect(detail).toMatch(/SEARCH hookbox_endpoints USING INDEX hookbox_endpoints_(routing|tenant) \((collection=\? AND )?tenant=\?/)
    expect(detail).not.toMatch(/SCAN hookbox_endpoints/)

    await store.queue.enqueue({ messages: [message({ tenant: 'acme', createdAt: T0 })], idempotencySince: 0 })
    expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(1)
    const deliveries = await store.queue.listDeliveries({ tenant: 'acme' })
    expect(deliveries.map((d) => d.targets)).toEqual([[mine.id]])
    await store.close()
  })
})
