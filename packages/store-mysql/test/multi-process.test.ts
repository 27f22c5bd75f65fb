import { describeMultiProcess } from '@hookbox/core/testing'
import { fileURLToPath } from 'node:url'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_multi')

describeMultiProcess({
  name: 'mysql',
  workerScript: fileURLToPath(new URL('./fixtures/dispatcher-worker.ts', import.meta.url)),
  cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  async createDatabase() {
    const database = await databases.create()
    return {
      store: mysqlStore({ pool: databases.pool, database }),
      env: { MYSQL_URL: mysqlUrl, HOOKBOX_DATABASE: database },
      async countDeliveries(where) {
        const [rows] = await databases.pool.promise().query(`SELECT count(*) AS n FROM \`${database}\`.hookbox_deliveries WHERE ${where}`)
        return Number((rows as Array<{ n: number }>)[0]!.n)
      },
      drop: () => databases.end(),
    }
  },
})
