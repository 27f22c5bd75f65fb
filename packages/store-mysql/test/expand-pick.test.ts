import { createPlanner } from '@hookbox/core'
import { collection, endpoint, message, T0 } from '@hookbox/core/testing'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool } from 'mysql2'
import { afterAll, describe, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_pick')
afterAll(() => databases.end())

describe('mysql: the expansion pick', () => {
  it('reads the unexpanded messages only, not the expanded ones kept before them', async () => {
    const database = await databases.create()
    // One connection, so that its session counters are the store's.
    const pool = createPool({ uri: mysqlUrl, connectionLimit: 1 })
    const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) })
    const store = mysqlStore({ db, database })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    await store.catalog.insertEndpoint({ endpoint: endpoint() })
    const planner = createPlanner()
    const enqueue = (n: number) =>
      store.queue.enqueue({ messages: Array.from({ length: n }, () => message({ createdAt: T0 })), idempotencySince: 0 })
    // 2,000 expanded messages, kept until retention purges them, ahead of 10 new ones.
    await enqueue(2000)
    while ((await store.queue.expand({ limit: 500, now: T0, planner })).expanded > 0);
    await enqueue(10)
    const reads = async () =>
      ((await pool.promise().query("SHOW SESSION STATUS LIKE 'Handler_read%'"))[0] as Array<{ Value: string }>).reduce(
        (sum, r) => sum + Number(r.Value),
        0,
      )
    const before = await reads()
    expect((await store.queue.expand({ limit: 100, now: T0, planner })).expanded).toBe(10)
    // The batch, its routing and SHOW STATUS's own rows; walking the primary key read 2,000 more.
    expect((await reads()) - before).toBeLessThan(500)
    await store.close()
    await db.destroy()
  })
})
