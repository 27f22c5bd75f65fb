import { collection, headOfLineReads } from '@hookbox/core/testing'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { pendingDeliveries, readCalls, tempDatabase } from './support.js'

describe('sqlite: head-of-line claims', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c()
  })

  it("a claim skipping an endpoint reads about as many pages whatever that endpoint's due backlog, and takes the others'", async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    cleanups.push(() => void store.close())
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    const insert = pendingDeliveries(t.db)
    // Writes from another connection: the store's connection then drops its page cache.
    const other = new Database(t.path)
    cleanups.push(() => other.close())
    const reads = await headOfLineReads({
      insert: async (from, to, endpoint, dueAt) => insert(from, to, endpoint, dueAt),
      async claim(skipEndpoints, limit) {
        other.exec('UPDATE hookbox_deliveries SET lease_owner = NULL, lease_until = NULL, lease_token = NULL')
        const before = readCalls()
        await store.queue.claim({ now: 10, limit, leaseMs: 30_000, owner: 'o', skipEndpoints })
        const read = readCalls() - before
        const ids = t.db.prepare("SELECT id FROM hookbox_deliveries WHERE lease_owner = 'o' ORDER BY next_attempt_at, message_seq, id")
        return { ids: ids.pluck().all() as string[], read }
      },
    })
    // Through the due index it read e2's whole backlog (63 and 486 pages); now the first due
    // window, the others' and a seek or two per block of 1,024 sequence numbers.
    expect(reads[1]).toBeLessThan(150)
    expect(reads[1]! - reads[0]!).toBeLessThan(50)
  })
})
