import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_cv')
afterAll(() => t.drop())

describe('config version (Postgres)', () => {
  it('is bumped once per transaction, so a bulk configuration write leaves the one-row table one page', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    await store.housekeeping.migrate()
    const s = `"${t.schema}"`
    const version = async () => Number((await t.pool.query(`SELECT version FROM ${s}.config_version`)).rows[0].version)
    const pages = async () => Number((await t.pool.query(`SELECT pg_relation_size('${s}.config_version') / 8192 AS n`)).rows[0].n)
    const v0 = await version()
    // 3,000 rows in one statement: each row's trigger fires, one bump counts.
    await t.pool.query(
      `INSERT INTO ${s}.tenants (tenant, enabled, created_at, updated_at) SELECT 't' || g, true, 0, 0 FROM generate_series(1, 3000) g`,
    )
    expect(await version()).toBe(v0 + 1)
    expect(await pages()).toBe(1)
    // Two writes in one explicit transaction: one bump, seen by others only once committed.
    const c = await t.pool.connect()
    try {
      await c.query('BEGIN')
      await c.query(`UPDATE ${s}.tenants SET enabled = false WHERE tenant = 't1'`)
      await c.query(`DELETE FROM ${s}.tenants WHERE tenant = 't2'`)
      expect(await version()).toBe(v0 + 1)
      await c.query('COMMIT')
    } finally {
      c.release()
    }
    expect(await version()).toBe(v0 + 2)
    // Each later transaction bumps again, through the store as through raw SQL.
    await store.catalog.ensureTenant({ tenant: 'acme', now: 0 })
    expect(await version()).toBe(v0 + 3)
    await t.pool.query(`DELETE FROM ${s}.tenants WHERE tenant = 't3'`)
    expect(await version()).toBe(v0 + 4)
    await store.close()
  })
})
