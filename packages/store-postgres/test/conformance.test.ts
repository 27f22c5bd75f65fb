import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { afterAll } from 'vitest'
import { runStoreConformance } from '../../core/test/conformance/index.js'
import { postgresStore } from '../src/index.js'
import { databaseUrl } from './helpers.js'

// One pool for the file; each store gets its own schema, dropped by cleanup.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 })
afterAll(() => pool.end())

runStoreConformance({
  name: 'postgres',
  async makeStore() {
    const schema = `hb_conf_${randomBytes(5).toString('hex')}`
    const store = postgresStore({ pool, schema })
    return {
      store,
      async cleanup() {
        await store.close()
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      },
    }
  },
})
