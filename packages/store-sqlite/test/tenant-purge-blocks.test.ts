import { message, T0 } from '@hookbox/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { DELETE_MESSAGES } from '../src/queries/purge-tenant.js'
import { tempDatabase } from './support.js'

describe('sqlite: the messages’ tenant index is kept by block of sequence numbers', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  it('a tenant purge finds the tenant’s messages in every block, gaps included, and leaves the others', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    const enqueue = (tenant: string) => store.queue.enqueue({ messages: [message({ tenant, createdAt: T0 })], idempotencySince: 0 })
    // Blocks 0, 1 and 9 (4,096 numbers each), with empty blocks between 1 and 9.
    for (const next of [0, 4095, 40_000]) {
      if (next > 0) t.db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'hookbox_messages'").run(next)
      for (let i = 0; i < 3; i++) for (const tenant of ['acme', 'other']) await enqueue(tenant)
    }
    const blocks = t.db.prepare("SELECT DISTINCT seq >> 12 AS b FROM hookbox_messages WHERE tenant = 'acme' ORDER BY b").all()
    expect(blocks).toEqual([{ b: 0 }, { b: 1 }, { b: 9 }])

    const counts = await store.housekeeping.purgeTenant({ tenant: 'acme' })
    expect(counts.messages).toBe(9)
    const left = t.db.prepare('SELECT tenant, count(*) AS n FROM hookbox_messages GROUP BY tenant').all()
    expect(left).toEqual([{ tenant: 'other', n: 9 }])
    await store.close()
  })

  it('the purge seeks (block, tenant) through the index, never scans the messages', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    const plan = t.db.prepare(`EXPLAIN QUERY PLAN ${DELETE_MESSAGES}`).all('acme') as Array<{ detail: string }>
    const detail = plan.map((p) => p.detail).join('\n')
    expect(detail).toMatch(/SEARCH hookbox_messages USING (COVERING )?INDEX hookbox_messages_tenant_block \(<expr>=\? AND tenant=\?\)/)
    expect(detail).not.toMatch(/SCAN hookbox_messages/)
    await store.close()
  })
})
