import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { planOf, tempDatabase } from './support.js'

/** Records the SQL of every statement `db` runs from now on (the ones the store prepares through it). */
function recordStatements(db: Database.Database): string[] {
  const ran: string[] = []
  const prepare = db.prepare.bind(db)
  db.prepare = ((source: string) => {
    const statement = prepare(source)
    for (const method of ['all', 'run', 'get'] as const) {
      const call = statement[method].bind(statement) as (...params: unknown[]) => unknown
      ;(statement as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
        ran.push(source)
        return call(...params)
      }
    }
    return statement
  }) as typeof db.prepare
  return ran
}

describe('sqlite: what a claim runs', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  async function setUp() {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const ran = recordStatements(t.db)
    const store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep_a' }) })
    const messages = Array.from({ length: 5 }, (_, i) => message({ id: `msg_${i}`, payload: `{"n":${i}}`, createdAt: T0 }))
    await store.queue.enqueue({ messages, idempotencySince: 0 })
    expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(5)
    return { t, ran, store, messages }
  }

  it('picks each delivery with its message and its endpoint’s breaker columns in one statement, then leases and reads the config version', async () => {
    const { ran, store, messages } = await setUp()
    await store.catalog.setEndpointHealth({ id: 'ep_a', pausedUntil: T0 - 1, failingSince: T0 - 5, now: T0 - 1 })
    ran.length = 0
    const { leased } = await store.queue.claim({ now: T0, limit: 10, leaseMs: 30_000, owner: 'test' })
    expect(leased.map((l) => l.message)).toEqual(messages)
    expect(leased.map((l) => l.health)).toEqual(
      messages.map(() => [{ id: 'ep_a', pausedUntil: T0 - 1, failingSince: T0 - 5, updatedAt: T0 - 1 }]),
    )
    // Three statements whatever the batch size: no second read of the messages or the endpoints by id.
    expect(ran).toHaveLength(3)
    expect(ran[0]).toMatch(/left join "hookbox_messages" as "msg"/)
    expect(ran[0]).toMatch(/left join "hookbox_endpoints" as "ep"/)
    expect(ran[1]).toMatch(/^update "hookbox_deliveries" set .* where rowid in/)
    expect(ran.filter((s) => /from "hookbox_messages"/.test(s))).toEqual([ran[0]])
    expect(ran.filter((s) => /"hookbox_endpoints"/.test(s))).toEqual([ran[0]])
    // The joined row decides whether the endpoint holds the delivery back: no lookup of its own.
    expect(ran[0]).not.toMatch(/from "hookbox_endpoints" as "e"/)
  })

  it('reads the breaker columns of a majority delivery’s targets on their own, and none of an each endpoint that is gone', async () => {
    const { t, ran, store } = await setUp()
    await store.catalog.upsertCollection({ collection: collection({ name: 'votes', failureMode: 'majority' }) })
    for (const id of ['ep_m1', 'ep_m2']) await store.catalog.insertEndpoint({ endpoint: endpoint({ id, collection: 'votes' }) })
    await store.catalog.setEndpointHealth({ id: 'ep_m2', failingSince: T0 - 7, now: T0 - 2 })
    await store.queue.enqueue({ messages: [message({ id: 'msg_v', type: 'votes.cast', createdAt: T0 })], idempotencySince: 0 })
    expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(1)
    t.db.prepare("DELETE FROM hookbox_endpoints WHERE id = 'ep_a'").run()
    ran.length = 0
    const { leased } = await store.queue.claim({ now: T0, limit: 10, leaseMs: 30_000, owner: 'test' })
    const each = leased.filter((l) => l.delivery.failureMode === 'each')
    const [majority, ...more] = leased.filter((l) => l.delivery.failureMode === 'majority')
    expect(each.length).toBeGreaterThan(0)
    expect(each.map((l) => l.health)).toEqual(each.map(() => []))
    expect(more).toEqual([])
    expect(majority!.health).toEqual([
      { id: 'ep_m1', pausedUntil: null, failingSince: null, updatedAt: T0 },
      { id: 'ep_m2', pausedUntil: null, failingSince: T0 - 7, updatedAt: T0 - 2 },
    ])
    // The majority targets' read, by id: the gone each endpoint is not looked up again.
    const reads = ran.filter((s) => /from "hookbox_endpoints" where "id" in/.test(s))
    expect(reads).toEqual([expect.stringMatching(/in \(\?, \?\)/)])
  })

  it('looks each delivery’s tenant and endpoint up in indexes that hold what it reads, never in their tables', async () => {
    const { t, ran, store } = await setUp()
    await store.catalog.upsertTenant({ tenant: { tenant: 'off', enabled: false, disabledReason: 'test', createdAt: T0, updatedAt: T0 } })
    ran.length = 0
    expect((await store.queue.claim({ now: T0, limit: 10, leaseMs: 30_000, owner: 'test' })).leased).toHaveLength(5)
    const pick = ran[0]!
    const plan = planOf(t.db, pick)
    // Through the primary keys, each lookup also read the row: with 30,000 endpoints and 10,000
    // tenants, pages a spread batch rarely meets twice (issue 13).
    expect(plan).toContain('SEARCH t USING COVERING INDEX hookbox_tenants_disabled (tenant=?)')
    expect(plan).toContain('SEARCH ep USING COVERING INDEX hookbox_endpoints_claim (id=?) LEFT-JOIN')
  })

  it('leases a delivery whose message is gone and leaves it out, as the claim always did', async () => {
    const { t, store } = await setUp()
    t.db.prepare("DELETE FROM hookbox_messages WHERE id = 'msg_2'").run()
    const { leased } = await store.queue.claim({ now: T0, limit: 10, leaseMs: 30_000, owner: 'test' })
    expect(leased.map((l) => l.message.id)).toEqual(['msg_0', 'msg_1', 'msg_3', 'msg_4'])
    const owners = t.db.prepare('SELECT message_id, lease_owner FROM hookbox_deliveries ORDER BY message_seq').all()
    expect(owners).toEqual(['msg_0', 'msg_1', 'msg_2', 'msg_3', 'msg_4'].map((id) => ({ message_id: id, lease_owner: 'test' })))
  })
})
