import { collection, endpoint, expandOnce, message, T0 } from '@hookbox/core/testing'
import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

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

  it('picks each delivery with its message in one statement, then leases, reads the breaker columns and the config version', async () => {
    const { ran, store, messages } = await setUp()
    ran.length = 0
    const { leased } = await store.queue.claim({ now: T0, limit: 10, leaseMs: 30_000, owner: 'test' })
    expect(leased.map((l) => l.message)).toEqual(messages)
    // Four statements whatever the batch size: no second read of the messages by id.
    expect(ran).toHaveLength(4)
    expect(ran[0]).toMatch(/left join "hookbox_messages" as "msg"/)
    expect(ran[1]).toMatch(/^update "hookbox_deliveries" set .* where rowid in/)
    expect(ran.filter((s) => /from "hookbox_messages"/.test(s))).toEqual([ran[0]])
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
