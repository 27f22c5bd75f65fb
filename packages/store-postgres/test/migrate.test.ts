import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { migrations, migrationSql, postgresStore } from '../src/index.js'
import { databaseUrl, testSchema } from './helpers.js'

const t = testSchema('hb_migrate')
const other = new pg.Pool({ connectionString: databaseUrl, max: 2 })
const sqlSchema = `${t.schema}_sql`

afterAll(async () => {
  await other.query(`DROP SCHEMA IF EXISTS "${sqlSchema}" CASCADE`)
  await other.end()
  await t.drop()
})

describe('migrate', () => {
  it('succeeds when two pools (processes) migrate the same schema at once, and again', async () => {
    const a = postgresStore({ pool: t.pool, schema: t.schema })
    const b = postgresStore({ pool: other, schema: t.schema })
    await Promise.all([a.housekeeping.migrate(), b.housekeeping.migrate(), a.housekeeping.migrate(), b.housekeeping.migrate()])
    await Promise.all([a.housekeeping.migrate(), b.housekeeping.migrate()])
    const { rows } = await t.pool.query(`SELECT id FROM "${t.schema}".migrations ORDER BY id`)
    expect(rows.map((r) => r.id)).toEqual(migrations.map((m) => m.version))
    expect(await a.catalog.listCollections()).toEqual([])
  })

  it('exports SQL that a migration tool can run, after which migrate() has nothing to do', async () => {
    const text = migrationSql(sqlSchema)
    expect(text).toContain(`CREATE TABLE "${sqlSchema}".messages`)
    await other.query(text)
    const store = postgresStore({ pool: other, schema: sqlSchema })
    await store.housekeeping.migrate()
    const { rows } = await other.query(`SELECT count(*)::int AS n FROM "${sqlSchema}".migrations`)
    expect(rows[0].n).toBe(migrations.length)
    // The SQL entry point is part of the exported text.
    const made = await other.query(`SELECT duplicate FROM "${sqlSchema}".notify(NULL, 'a.b', '{}')`)
    expect(made.rows).toEqual([{ duplicate: false }])
  })

  it('refuses schema names that are not plain identifiers', () => {
    expect(() => postgresStore({ pool: t.pool, schema: 'a"; drop table x; --' })).toThrow(/schema must be/)
  })
})
