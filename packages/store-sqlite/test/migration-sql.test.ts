import { testOutbox } from '@hookbox/core/testing'
import { afterEach, expect, it } from 'vitest'
import { migrations, migrationSql, sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

let t: ReturnType<typeof tempDatabase> | undefined
afterEach(() => t?.cleanup())

it('exports SQL that a migration tool can run, after which migrate() has nothing to do', async () => {
  t = tempDatabase()
  const text = migrationSql()
  expect(text).toContain('CREATE TABLE hookbox_messages')
  t.db.transaction(() => t!.db.exec(text))()
  const versions = () =>
    (t!.db.prepare('SELECT version FROM hookbox_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version)
  expect(versions()).toEqual(migrations.map((m) => m.version))
  const { outbox } = testOutbox(sqliteStore({ database: t.db }))
  await outbox.migrate()
  expect(versions()).toEqual(migrations.map((m) => m.version))
  await outbox.collections.upsert({ name: 'events' })
  expect(t.db.transaction(() => outbox.notify({ type: 'entity.changed', payload: {} }, { transaction: t!.db }))().duplicate).toBe(false)
  await outbox.close()
})
