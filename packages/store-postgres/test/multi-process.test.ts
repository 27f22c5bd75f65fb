import { describeMultiProcess } from '@hookbox/core/testing'
import { fileURLToPath } from 'node:url'
import { postgresStore } from '../src/index.js'
import { databaseUrl, testSchema } from './helpers.js'

const t = testSchema('hb_multi')

describeMultiProcess({
  name: 'postgres',
  workerScript: fileURLToPath(new URL('./fixtures/dispatcher-worker.ts', import.meta.url)),
  cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  async createDatabase() {
    return {
      store: postgresStore({ pool: t.pool, schema: t.schema }),
      env: { DATABASE_URL: databaseUrl, HOOKBOX_SCHEMA: t.schema },
      async countDeliveries(where) {
        const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM "${t.schema}".deliveries WHERE ${where}`)
        return rows[0].n as number
      },
      // As autovacuum would have done on a live system: a never-analysed table gets a sort-everything claim plan.
      afterExpand: async () => void (await t.pool.query(`ANALYZE "${t.schema}".messages; ANALYZE "${t.schema}".deliveries`)),
      drop: () => t.drop(),
    }
  },
})
