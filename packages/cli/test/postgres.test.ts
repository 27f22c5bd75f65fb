import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { describe } from 'vitest'
import { postgresStore } from '@hookbox/store-postgres'
import { cliScenario } from './scenario.js'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

describe('hookbox CLI on Postgres', () => {
  cliScenario(async () => {
    const schema = `hb_cli_${randomBytes(5).toString('hex')}`
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
    return {
      store: postgresStore({ pool, schema }),
      dbArgs: ['--db', databaseUrl, '--schema', schema],
      env: { HOOKBOX_DATABASE: databaseUrl, HOOKBOX_SCHEMA: schema },
      async cleanup() {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        await pool.end()
      },
    }
  })
})
