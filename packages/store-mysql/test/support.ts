import { newId, type AttemptRecord } from '@hookbox/core'
import { T0 } from '@hookbox/core/testing'
import { createPool, type Pool } from 'mysql2'
import { randomBytes } from 'node:crypto'

/** The test server: `MYSQL_URL`, or the local MariaDB's `test` database. */
export const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** A pool for one test file, and uniquely named databases on it that `end()` drops (with the pool). */
export interface TestDatabases {
  pool: Pool
  /** Creates a fresh, empty database and returns its name. */
  create(): Promise<string>
  drop(name: string): Promise<void>
  end(): Promise<void>
}

/** Databases named `<prefix>_<random>`, so two copies of the suite can run side by side. */
export function testDatabases(prefix = 'hb_test', connectionLimit = 10): TestDatabases {
  const pool = createPool({ uri: mysqlUrl, connectionLimit })
  const created = new Set<string>()
  const drop = async (name: string) => {
    created.delete(name)
    await pool.promise().query(`DROP DATABASE IF EXISTS \`${name}\``)
  }
  return {
    pool,
    async create() {
      const name = `${prefix}_${randomBytes(5).toString('hex')}`
      await pool.promise().query(`CREATE DATABASE \`${name}\``)
      created.add(name)
      return name
    },
    drop,
    async end() {
      for (const name of [...created]) await drop(name)
      await pool.promise().end()
    },
  }
}

/** An `ack` attempt of `deliveryId` at `T0`, for a write-back's attempt log. */
export const attempt = (deliveryId: string, endpointId: string): AttemptRecord => ({
  id: newId(T0),
  deliveryId,
  tenant: null,
  endpointId,
  round: 1,
  url: 'https://example.com/hook',
  startedAt: T0,
  latencyMs: 1,
  statusCode: 200,
  outcome: 'ack',
  error: null,
  responseSnippet: null,
})
