import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { dueAround } from '../src/due-around.js'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

describe('sqlite: pending deliveries by endpoint are kept by block of message sequence numbers', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })
  const claim = (now: number, skipEndpoints: string[]) => ({ now, limit: 10, leaseMs: 30_000, owner: 'test', skipEndpoints })

  it('a claim skipping endpoints finds what is due outside them in any block, and nothing when only skipped ones are due', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep_b' }) })
    const enqueue = async (at: number) => {
      t.db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'hookbox_messages'").run(at)
      await store.queue.enqueue({ messages: [message({ createdAt: T0 })], idempotencySince: 0 })
      expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(1)
    }
    // The busy endpoint's backlog in blocks 0, 1, 5 and 9 of 512 sequence numbers.
    for (const at of [0, 750, 2600, 4750]) await enqueue(at)
    const blocks = t.db.prepare("SELECT DISTINCT message_seq >> 9 AS b FROM hookbox_deliveries WHERE state = 'pending' ORDER BY b").all()
    expect(blocks).toEqual([{ b: 0 }, { b: 1 }, { b: 5 }, { b: 9 }])
    const found = (now: number, skip: string[]) => {
      const q = foundSql(t.db, now, skip)
      return t.db.prepare(q.sql).get(...q.parameters)
    }
    expect(found(T0, ['ep_b'])).toEqual({ found: 0 })
    expect(await store.queue.claim(claim(T0, ['ep_b']))).toEqual({ leased: [] })

    // Block 5's delivery goes to another endpoint, between the busy one's blocks.
    await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep_c' }) })
    t.db.prepare("UPDATE hookbox_deliveries SET endpoint_id = 'ep_c', targets = '[\"ep_c\"]' WHERE message_seq >> 9 = 5").run()
    expect(found(T0, ['ep_b'])).toEqual({ found: 1 })
    expect(found(T0, ['ep_b', 'ep_c'])).toEqual({ found: 0 })
    // Not due yet: nothing outside.
    expect(found(T0 - 1, ['ep_b'])).toEqual({ found: 0 })
    const leased = (await store.queue.claim(claim(T0, ['ep_b']))).leased
    expect(leased.map((l) => l.delivery.endpointId)).toEqual(['ep_c'])
    // Leased is still pending: a candidate (the claim's rules leave it out).
    expect(found(T0, ['ep_b'])).toEqual({ found: 1 })
    await store.close()
  })

  it('the check seeks the block-led index (migration 13); the endpoint-led one of migration 11 is gone', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    const indexes = t.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'hookbox_deliveries_endpoint%'")
      .pluck()
      .all()
    expect(indexes).toEqual(['hookbox_deliveries_endpoint_due_block'])
    const q = foundSql(t.db, T0, ['ep_a', 'ep_c'])
    const plan = (t.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.parameters) as Array<{ detail: string }>).map((p) => p.detail)
    expect(plan.join('\n')).toMatch(
      /SEARCH x USING INDEX hookbox_deliveries_endpoint_due_block \(<expr>=\? AND endpoint_id>\? AND endpoint_id<\?\)/,
    )
    expect(plan.join('\n')).not.toMatch(/SCAN hookbox_deliveries\b/)
    await store.close()
  })
})

/** Whether {@link dueAround} finds any candidate (`found`: 0 or 1). */
function foundSql(db: ConstructorParameters<typeof SqliteDialect>[0]['database'], now: number, skip: string[]) {
  const k = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
  return sql<{ found: number }>`SELECT EXISTS (SELECT 1 FROM (${dueAround(now, skip).ids})) AS found`.compile(k)
}
