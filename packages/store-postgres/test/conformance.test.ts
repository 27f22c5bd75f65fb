import { runStoreConformance } from '@hookbox/core/testing'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { afterAll } from 'vitest'
import { postgresStore } from '../src/index.js'
import { databaseUrl } from './helpers.js'

// One pool for the file; each store gets its own schema, dropped by cleanup.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 })
afterAll(() => pool.end())

/** A client checked out of the pool, in the transaction state `prepare` leaves it in. */
async function client(prepare: (c: pg.PoolClient) => Promise<unknown>) {
  const c = await pool.connect()
  await prepare(c)
  return { handle: c, release: async () => c.release() }
}

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
  refusedHandles: [
    { name: 'a pg Pool', open: async () => ({ handle: pool, release: async () => {} }) },
    { name: 'an idle pg client (no BEGIN)', open: () => client(async () => {}) },
    { name: 'a pg client after ROLLBACK', open: () => client(async (c) => (await c.query('BEGIN'), await c.query('ROLLBACK'))) },
    {
      name: 'a kysely instance that is not a transaction',
      async open() {
        const kysely = new Kysely({ dialect: new PostgresDialect({ pool }) })
        return { handle: kysely, release: async () => {} }
      },
    },
  ],
})
