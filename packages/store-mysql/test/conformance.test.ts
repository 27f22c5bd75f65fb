import type { Store } from '@hookbox/core'
import { runStoreConformance } from '@hookbox/core/testing'
import { Kysely, MysqlDialect } from 'kysely'
import { afterAll } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { testDatabases } from './support.js'

const databases = testDatabases('hb_conf')
afterAll(() => databases.end())

/** A connection from the shared pool, in the state `prepare` leaves it in. */
const connection = (prepare: (c: Awaited<ReturnType<typeof getConnection>>) => Promise<unknown>) => async (_store: Store) => {
  const c = await getConnection()
  await prepare(c)
  return { handle: c, release: async () => c.release() }
}
const getConnection = () => databases.pool.promise().getConnection()

runStoreConformance({
  name: 'mysql',
  async makeStore() {
    const database = await databases.create()
    return { store: mysqlStore({ pool: databases.pool, database }), cleanup: () => databases.drop(database) }
  },
  refusedHandles: [
    { name: 'a mysql2 connection outside a transaction', open: connection(async () => undefined) },
    { name: 'a mysql2 connection after commit()', open: connection(async (c) => (await c.beginTransaction(), await c.commit())) },
    { name: 'a mysql2 connection after rollback()', open: connection(async (c) => (await c.beginTransaction(), await c.rollback())) },
    { name: 'a mysql2 pool', open: async () => ({ handle: databases.pool.promise(), release: async () => {} }) },
    {
      name: 'a kysely instance that is not a transaction',
      open: async () => ({ handle: new Kysely({ dialect: new MysqlDialect({ pool: databases.pool }) }), release: async () => {} }),
    },
  ],
})
