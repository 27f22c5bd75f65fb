import type { SyncExecutor } from '../sync-executor.js'
import { migrations, MIGRATIONS_TABLE_SQL } from './index.js'

/**
 * Applies the migrations the database has not seen yet, in one IMMEDIATE transaction: SQLite's
 * write lock makes processes that start together wait for each other, and the second finds
 * nothing to do. Returns the versions applied.
 */
export function runMigrations(x: SyncExecutor): number[] {
  return x.tx(() => {
    x.db.exec(MIGRATIONS_TABLE_SQL)
    const done = new Set(x.all(x.qb.selectFrom('hookbox_migrations').select('version')).map((r) => r.version))
    const applied: number[] = []
    for (const m of migrations) {
      if (done.has(m.version)) continue
      x.db.exec(m.sql(''))
      x.run(x.qb.insertInto('hookbox_migrations').values({ version: m.version, applied_at: Date.now() }))
      applied.push(m.version)
    }
    return applied
  })
}
