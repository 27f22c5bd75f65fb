import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

/** Page numbers of the frames in a WAL file (header 32 bytes, each frame a 24-byte header and a page). */
function walPages(file: string, pageSize: number): number[] {
  const b = readFileSync(file)
  const pages: number[] = []
  for (let at = 32; at + 24 + pageSize <= b.length; at += 24 + pageSize) pages.push(b.readUInt32BE(at))
  return pages
}

describe('sqlite: an expansion spread over many tenants writes few pages of the endpoint-due index', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  it('is led by blocks of 512 message sequence numbers (migration 13)', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    await sqliteStore({ database: t.db }).housekeeping.migrate()
    const ddl = t.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'hookbox_deliveries_endpoint_due_block'").pluck().get()
    expect(ddl).toMatch(/\(\(message_seq >> 9\), endpoint_id, next_attempt_at\)\s+WHERE state = 'pending'/)
  })

  it('a batch of 100 messages of 100 tenants (300 endpoints) dirties at most 15 of its pages', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    const tenants = Array.from({ length: 100 }, (_, i) => `t${i}`)
    for (const tenant of tenants)
      for (let k = 0; k < 3; k++) await store.catalog.insertEndpoint({ endpoint: endpoint({ id: `ep_${tenant}_${k}`, tenant }) })
    const spread = async (count: number) => {
      const messages = Array.from({ length: count }, (_, i) => message({ tenant: tenants[i % 100]!, createdAt: T0 }))
      await store.queue.enqueue({ messages, idempotencySince: 0 })
      let expanded = 0
      while (expanded < count) expanded += await expandOnce(store, { limit: 100, now: T0 })
    }
    // 900 messages pending first: with blocks of 1,024 (migration 12) the batch below shares a
    // block with all of them (~2,700 entries); with blocks of 512, with the 388 since seq 512.
    await spread(900)
    t.db.pragma('wal_checkpoint(TRUNCATE)')
    t.db.pragma('wal_autocheckpoint = 0')
    await spread(100)
    const index = new Set(t.db.prepare("SELECT pageno FROM dbstat WHERE name = 'hookbox_deliveries_endpoint_due_block'").pluck().all())
    const pages = walPages(`${t.path}-wal`, t.db.pragma('page_size', { simple: true }) as number)
    const written = new Set(pages.filter((p) => index.has(p))).size
    expect(written).toBeGreaterThan(0)
    // The same rows give the same pages: 11 with blocks of 512, 21 with blocks of 1,024.
    expect(written).toBeLessThanOrEqual(15)
    await store.close()
  })
})
