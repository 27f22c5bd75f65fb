import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreConformance } from '../../core/test/conformance/index.js'
import { sqliteStore } from '../src/index.js'

runStoreConformance({
  name: 'sqlite',
  async makeStore() {
    const dir = mkdtempSync(join(tmpdir(), 'hookbox-sqlite-'))
    const db = new Database(join(dir, 'app.db'))
    db.pragma('journal_mode = WAL')
    return {
      store: sqliteStore({ database: db }),
      async cleanup() {
        db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
})
