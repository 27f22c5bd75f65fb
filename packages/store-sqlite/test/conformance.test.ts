import { runStoreConformance } from '@hookbox/core/testing'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteStore } from '../src/index.js'

// The database behind each store, for the handles the suite must see refused.
const databases = new WeakMap<object, Database.Database>()

runStoreConformance({
  name: 'sqlite',
  async makeStore() {
    const dir = mkdtempSync(join(tmpdir(), 'hookbox-sqlite-'))
    const db = new Database(join(dir, 'app.db'))
    db.pragma('journal_mode = WAL')
    const store = sqliteStore({ database: db })
    databases.set(store, db)
    return {
      store,
      async cleanup() {
        db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
  refusedHandles: [
    {
      name: 'a better-sqlite3 database outside db.transaction()',
      open: async (store) => ({ handle: databases.get(store)!, release: async () => {} }),
    },
    {
      name: 'a kysely instance that is not a transaction',
      async open(store) {
        const kysely = new Kysely({ dialect: new SqliteDialect({ database: databases.get(store)! }) })
        return { handle: kysely, release: async () => {} }
      },
    },
  ],
})
