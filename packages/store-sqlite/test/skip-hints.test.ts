import { collection } from '@hookbox/core/testing'
import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { HINT_MS } from '@hookbox/store-kysely'
import { pendingDeliveries, planOf, tempDatabase } from './support.js'

describe('sqlite: claims skipping the same endpoints start where the last walk found work', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c()
  })

  /** A store whose statements are counted, with the stuck endpoint e2's 100,000 due (about 200 blocks of 512 sequence numbers), then f's 3. */
  async function setUp() {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    const statements: string[] = []
    const store = sqliteStore({ database: counted(t.db, statements) })
    cleanups.push(() => void store.close())
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    const insert = pendingDeliveries(t.db)
    insert(101, 100_100, 'e2', 1)
    insert(200_001, 200_003, 'f', 7)
    return { t, statements, store, insert }
  }

  it("walk the skipped endpoint's blocks once, take what comes due later at once, and what a write puts ahead within HINT_MS", async () => {
    const { t, statements, store, insert } = await setUp()
    const claim = async (now: number) => {
      t.db.exec('UPDATE hookbox_deliveries SET lease_owner = NULL, lease_until = NULL, lease_token = NULL')
      const ran = statements.length
      await store.queue.claim({ now, limit: 5, leaseMs: 30_000, owner: 'o', skipEndpoints: ['e2'] })
      // Walks over the blocks (dueAround's), each a seek or three per block of the backlog.
      const walks = statements.slice(ran).filter((q) => q.includes('WITH RECURSIVE blocks')).length
      // Read back: these deliveries have no message, so the claim hands none back.
      const ids = t.db.prepare("SELECT id FROM hookbox_deliveries WHERE lease_owner = 'o' ORDER BY next_attempt_at, message_seq, id")
      return { ids: ids.pluck().all() as string[], walks }
    }
    const walked = await claim(10)
    expect(walked.ids).toEqual(['00200001', '00200002', '00200003'])
    const hinted = await claim(10)
    expect(hinted.ids).toEqual(walked.ids)
    expect([walked.walks, hinted.walks]).toEqual([1, 0])

    // A retry in the first block coming due later sorts after the hint: taken when due.
    insert(50, 50, 'g', 12)
    expect(await claim(12)).toEqual({ ids: [...walked.ids, '00000050'], walks: 0 })
    // A late write ahead of the hint (due earlier than it) waits for the next walk: HINT_MS at most.
    insert(60, 60, 'h', 5)
    expect((await claim(12)).ids).not.toContain('00000060')
    expect(await claim(10 + HINT_MS)).toEqual({ ids: ['00000060', ...walked.ids, '00000050'], walks: 1 })
  })

  it("the walk hands on each found delivery's claim order from the row it reads: none is looked up again by id", async () => {
    const { t, statements, store } = await setUp()
    await store.queue.claim({ now: 10, limit: 5, leaseMs: 1, owner: 'o', skipEndpoints: ['e2'] })
    const walks = statements.filter((q) => q.includes('WITH RECURSIVE blocks'))
    expect(walks).toHaveLength(1)
    const details = planOf(t.db, walks[0]!).join('\n')
    // Each gap of each block: a seek of the block-led index, then the row (f's 3 here; 2,000 in the bench).
    expect(details).toMatch(/SEARCH x USING INDEX hookbox_deliveries_endpoint_due_block/)
    // On main the first was read back by id: the ids' index and the row again, per delivery found.
    expect(details).not.toMatch(/sqlite_autoindex_hookbox_deliveries_1/)
  })
})

/** `db` with the text of every statement it runs appended to `ran`. */
function counted(db: Database.Database, ran: string[]): Database.Database {
  const statement = (s: Database.Statement, text: string): Database.Statement => {
    const p: Database.Statement = new Proxy(s, {
      get(target, prop) {
        if (prop === 'all' || prop === 'get' || prop === 'run' || prop === 'iterate')
          return (...args: unknown[]) => (ran.push(text), (target[prop] as (...a: unknown[]) => unknown)(...args))
        if (prop === 'raw') return (on?: boolean) => (target.raw(on), p)
        const v: unknown = Reflect.get(target, prop, target)
        return typeof v === 'function' ? (v as () => unknown).bind(target) : v
      },
    })
    return p
  }
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (text: string) => statement(target.prepare(text), text)
      const v: unknown = Reflect.get(target, prop, target)
      return typeof v === 'function' ? (v as () => unknown).bind(target) : v
    },
  })
}
