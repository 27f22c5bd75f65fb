import { createPlanner } from '@hookbox/core'
import { collection, endpoint, message, T0 } from '@hookbox/core/testing'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool } from 'mysql2'
import { afterAll, describe, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_route')
afterAll(() => databases.end())

describe('mysql: the routing read of a batch that meets new tenants', () => {
  it('reads endpoints and disabled tenants in one statement, and no collections the planner holds', async () => {
    const database = await databases.create()
    const statements: string[] = []
    // One connection, so that its session counters are the store's.
    const pool = createPool({ uri: mysqlUrl, connectionLimit: 1 })
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool }),
      log: (e) => void statements.push(e.query.sql),
    })
    const store = mysqlStore({ db, database })
    await store.housekeeping.migrate()
    await store.catalog.upsertCollection({ collection: collection() })
    const [a, b, c] = ['a', 'b', 'c'].map((tenant) => endpoint({ tenant }))
    for (const e of [a!, b!, c!]) await store.catalog.insertEndpoint({ endpoint: e })
    // Other tenants' endpoints: the read must not go through them.
    for (let i = 0; i < 300; i++) await store.catalog.insertEndpoint({ endpoint: endpoint({ tenant: `other${i}` }) })
    await store.catalog.upsertTenant({ tenant: { tenant: 'c', enabled: false, disabledReason: 'suspended', createdAt: T0, updatedAt: T0 } })
    // One planner across batches, as the dispatcher keeps its routing: the first batch teaches it
    // the config version's collections and tenant a.
    const planner = createPlanner()
    const lease = { owner: 'me', leaseMs: 30_000, limit: 10 }
    await store.queue.enqueue({ messages: [message({ tenant: 'a', createdAt: T0 })], idempotencySince: 0 })
    expect((await store.queue.expand({ limit: 10, now: T0, planner, lease })).claims).toHaveLength(1)

    // The next batch names tenants it has not met: their endpoints and states are read, once.
    await store.queue.enqueue({ messages: ['b', 'c'].map((tenant) => message({ tenant, createdAt: T0 })), idempotencySince: 0 })
    statements.length = 0
    const scanned = async () =>
      Number(((await pool.promise().query("SHOW SESSION STATUS LIKE 'Handler_read_rnd_next'"))[0] as Array<{ Value: string }>)[0]!.Value)
    const before = await scanned()
    const { expanded, claims } = await store.queue.expand({ limit: 10, now: T0, planner, lease })
    // Rows read by table scans: a few (SHOW STATUS itself, the one-row config version), never the endpoints.
    expect((await scanned()) - before).toBeLessThan(100)
    expect(expanded).toBe(2)
    expect(statements.filter((s) => s.includes('hookbox_collections'))).toEqual([])
    const routing = statements.filter((s) => s.includes('hookbox_endpoints') || s.includes('hookbox_tenants'))
    expect(routing).toHaveLength(1)
    // b's delivery is leased; c is suspended: its delivery is written and waits.
    expect(claims.map((x) => x.endpoints.map((e) => e.id))).toEqual([[b!.id]])
    expect((await store.queue.listDeliveries({ tenant: 'c' })).map((d) => [d.targets, d.state])).toEqual([[[c!.id], 'pending']])
    await store.close()
    await db.destroy()
  })
})
