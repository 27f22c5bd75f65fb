import { createOutbox, type Outbox } from '@hookbox/core'
import { eventually, startTcpProxy, TestReceiver, type TcpProxy } from '@hookbox/core/testing'
import { createPool, type Pool } from 'mysql2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const databases = testDatabases('hb_outage')
let database: string
let receiver: TestReceiver
let proxy: TcpProxy
const uncaught: unknown[] = []
const onUncaught = (error: unknown) => uncaught.push(error)
const pools: Pool[] = []

/** A dispatcher over a mysql2 pool through the proxy, with nothing attached to the pool. */
function dispatcher(): { outbox: Outbox; errors: unknown[] } {
  const url = new URL(mysqlUrl)
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  const pool = createPool({ uri: url.toString(), connectionLimit: 4, connectTimeout: 2_000 })
  pools.push(pool)
  const errors: unknown[] = []
  const outbox = createOutbox({
    store: mysqlStore({ pool, database }),
    http: { allowHttp: true },
    security: { ssrf: { allow: ['127.0.0.1'] } },
    // Short leases: attempts cut off mid-write-back are taken again soon after the database is back.
    dispatcher: { pollIntervalMs: 200, concurrency: 8, leaseMs: 5_000 },
  })
  outbox.on('error', ({ error }) => errors.push(error))
  return { outbox, errors }
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught)
  database = await databases.create()
  receiver = await TestReceiver.start()
  proxy = await startTcpProxy(Number(new URL(mysqlUrl).port || 3306))
})
afterAll(async () => {
  process.off('uncaughtException', onUncaught)
  await proxy.close()
  await Promise.all(
    pools.map((p) =>
      p
        .promise()
        .end()
        .catch(() => undefined),
    ),
  )
  await receiver.close()
  await databases.end()
})

describe('MySQL/MariaDB connections lost and refused, then back', () => {
  it('never crashes the host, reports errors and delivers everything committed', { timeout: 60_000 }, async () => {
    // The producer commits straight to the database, not through the proxy.
    const producer = createOutbox({
      store: mysqlStore({ pool: databases.pool, database }),
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] } },
    })
    await producer.migrate()
    await producer.collections.upsert({ name: 'main' })
    await producer.endpoints.create({ collection: 'main', url: `${receiver.url}/hook` })
    const [a, b] = [dispatcher(), dispatcher()] as const
    for (const d of [a, b]) d.outbox.start()
    const ids: string[] = []
    const commit = async (n: number) => {
      const sent = await producer.notifyMany(Array.from({ length: n }, (_, i) => ({ type: 'order.paid', payload: { i: ids.length + i } })))
      ids.push(...sent.map((r) => r.messageId))
    }
    const delivered = () => {
      const got = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])))
      return ids.every((id) => got.has(id))
    }
    await commit(1)
    await eventually(delivered, 10_000)

    await commit(40)
    await eventually(() => receiver.requests.length > 3)
    proxy.set('cut')
    await commit(20)
    await eventually(() => a.errors.length > 0 && b.errors.length > 0, 10_000)
    await new Promise((r) => setTimeout(r, 3_000))
    proxy.set('open')

    await eventually(delivered, 20_000)
    await a.outbox.close({ timeout: 5_000 })
    await b.outbox.close({ timeout: 5_000 })
    await producer.close()
    expect(uncaught).toEqual([])
  })
})
