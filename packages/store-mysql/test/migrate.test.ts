import { claimConfigured, expandOnce, testOutbox } from '@hookbox/core/testing'
import { createPool } from 'mysql2'
import { afterAll, describe, expect, it } from 'vitest'
import { migrations, mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_migrate')
afterAll(() => databases.end())

const rows = async <R>(text: string) => (await databases.pool.promise().query(text))[0] as R[]

describe('mysql: migrate()', () => {
  it('is safe from several processes at once: one applies, the others wait and find nothing to do', async () => {
    const database = await databases.create()
    // Separate pools, as separate processes would have: each takes the named lock on its own connection.
    const pools = [1, 2, 3].map(() => createPool({ uri: mysqlUrl, connectionLimit: 2 }))
    try {
      await Promise.all(pools.map((pool) => mysqlStore({ pool, database }).housekeeping.migrate()))
    } finally {
      await Promise.all(pools.map((p) => p.promise().end()))
    }
    const applied = await rows<{ version: number; name: string }>(
      `SELECT version, name FROM \`${database}\`.hookbox_migrations ORDER BY version`,
    )
    expect(applied).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })))
  })

  it("without `database`, uses the connection's default database", async () => {
    const database = await databases.create()
    const pool = createPool({ uri: mysqlUrl, database, connectionLimit: 3 })
    try {
      const store = mysqlStore({ pool })
      const { outbox } = testOutbox(store)
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: 'http://127.0.0.1:9/hook' })
      const { messageId } = await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
      expect(await expandOnce(store, { limit: 10, now: Date.now() })).toBe(1)
      const [claim] = await claimConfigured(store, { limit: 10, now: Date.now(), leaseMs: 1000, owner: 'me' })
      expect(claim?.message.id).toBe(messageId)
      const tables = await rows<{ n: number }>(
        `SELECT count(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME LIKE 'hookbox%'`,
      )
      expect(Number(tables[0]!.n)).toBe(10) // seven tables, hookbox_tenants (migration 2), hookbox_config_version (migration 5) and hookbox_migrations
      await outbox.close()
    } finally {
      await pool.promise().end()
    }
  })

  it('finishes a migration that was cut short: statements that already ran are passed over', async () => {
    const database = await databases.create()
    const d = `\`${database}\``
    const statements = (m: (typeof migrations)[number]) =>
      m
        .sql(d)
        .split(/;\s*$/m)
        .map((s) => s.trim())
        .filter(Boolean)
    await rows(
      `CREATE TABLE ${d}.hookbox_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)`,
    )
    for (const statement of statements(migrations[0]!)) await rows(statement)
    await rows(`INSERT INTO ${d}.hookbox_migrations VALUES (1, 'initial', 0)`)
    // Migration 2 stopped after its first two statements (each ALTER TABLE is atomic).
    for (const statement of statements(migrations[1]!).slice(0, 2)) await rows(statement)
    const store = mysqlStore({ pool: databases.pool, database })
    await store.housekeeping.migrate()
    const applied = await rows<{ version: number }>(`SELECT version FROM ${d}.hookbox_migrations ORDER BY version`)
    expect(applied.map((r) => Number(r.version))).toEqual(migrations.map((m) => m.version))
    const columns = await rows<{ n: number }>(
      `SELECT count(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${database}' AND COLUMN_NAME = 'tenant'`,
    )
    expect(Number(columns[0]!.n)).toBe(7)
    await store.close()
  })
})
