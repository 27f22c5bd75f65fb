import { testOutbox } from '@hookbox/core/testing'
import { afterAll, expect, it } from 'vitest'
import { migrations, migrationSql, mysqlStore, splitStatements } from '../src/index.js'
import { testDatabases } from './support.js'

const databases = testDatabases('hb_msql', 2)
afterAll(() => databases.end())

it('exports SQL that a migration tool can run (statement by statement), after which migrate() has nothing to do', async () => {
  const database = await databases.create()
  const text = migrationSql(database)
  expect(text).toContain(`CREATE TABLE IF NOT EXISTS \`${database}\`.hookbox_messages`)
  expect(text).toContain(`CREATE PROCEDURE \`${database}\`.hookbox_notify(`)
  for (const statement of splitStatements(text)) await databases.pool.promise().query(statement)
  const versions = async () => {
    const [rows] = await databases.pool.promise().query(`SELECT version FROM \`${database}\`.hookbox_migrations ORDER BY version`)
    return (rows as Array<{ version: number }>).map((r) => r.version)
  }
  expect(await versions()).toEqual(migrations.map((m) => m.version))
  const { outbox } = testOutbox(mysqlStore({ pool: databases.pool, database }))
  await outbox.migrate()
  expect(await versions()).toEqual(migrations.map((m) => m.version))
  await outbox.collections.upsert({ name: 'events' })
  expect((await outbox.notify({ type: 'entity.changed', payload: {} })).duplicate).toBe(false)
  await databases.pool.promise().query(`CALL \`${database}\`.hookbox_notify(NULL, 'a.b', '{}', NULL, NULL, NULL, NULL, @m, @r, @d)`)
  const [[made]] = (await databases.pool.promise().query('SELECT @d AS duplicate')) as unknown as [[{ duplicate: number }]]
  expect(made.duplicate).toBe(0)
  await outbox.close()
})
