import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { cliScenario } from './scenario.js'

describe('hookbox CLI on a SQLite file', () => {
  cliScenario(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookbox-cli-'))
    const file = join(dir, 'app.db')
    const database = new Database(file)
    return {
      store: sqliteStore({ database }),
      dbArgs: ['--db', file],
      env: { HOOKBOX_DATABASE: file },
      async cleanup() {
        database.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  })
})
