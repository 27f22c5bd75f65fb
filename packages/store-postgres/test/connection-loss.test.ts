import { createOutbox, type Outbox } from '@hookbox/core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { databaseUrl, eventually, sleep, startReceiver, testSchema, type Receiver } from './helpers.js'
import { startTcpProxy, type TcpProxy } from '@hookbox/core/testing'

const t = testSchema('hb_outage')
let receiver: Receiver
let proxy: TcpProxy
const uncaught: unknown[] = []
const onUncaught = (error: unknown) => uncaught.push(error)
const pools: pg.Pool[] = []

/** A pool through the proxy, set up as the README says (the host's own `error` listener). */
function proxiedPool(): pg.Pool {
  const url = new URL(databaseUrl)
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4, connectionTimeoutMillis: 2_000 })
  pool.on('error', () => undefined)
  pools.push(pool)
  return pool
}

/** A dispatcher over the proxy that only a wake-up (LISTEN) or its 60 s poll would start. */
function dispatcher(): { outbox: Outbox; errors: unknown[] } {
  const errors: unknown[] = []
  const outbox = createOutbox({
    store: postgresStore({ pool: proxiedPool(), schema: t.schema, wake: 'notify', listenMaxBackoffMs: 500 }),
    http: { allowHttp: true },
    security: { ssrf: { allow: ['127.0.0.1'] } },
    // Short leases: attempts cut off mid-write-back are free again before the database is back.
    dispatcher: { pollIntervalMs: 60_000, concurrency: 8, leaseMs: 2_000 },
  })
  outbox.on('error', ({ error }) => errors.push(error))
  return { outbox, errors }
}

const delivered = (ids: string[]) => () => {
  const got = new Set(receiver.received.map((r) => r.webhookId))
  return ids.every((id) => got.has(id))
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught)
  receiver = await startReceiver((_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 5))
  proxy = await startTcpProxy(Number(new URL(databaseUrl).port || 5432))
})
afterAll(async () => {
  process.off('uncaughtException', onUncaught)
  await proxy.close()
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)))
  await receiver.close()
  await t.drop()
})

describe('Postgres connections lost and refused, then back', () => {
  it('never crashes the host, reports errors, delivers everything committed, and LISTENs again', { timeout: 150_000 }, async () => {
    // The producer commits straight to Postgres: its messages must all arrive, whatever the dispatchers saw.
    const producer = createOutbox({
      store: postgresStore({ pool: t.pool, schema: t.schema, wake: 'notify' }),
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] } },
    })
    await producer.migrate()
    await producer.collections.upsert({ name: 'main' })
    await producer.endpoints.create({ collection: 'main', url: receiver.url })
    const a = dispatcher()
    const b = dispatcher()
    a.outbox.start()
    b.outbox.start()
    const ids: string[] = []
    const commit = async (n: number) => {
      for (let i = 0; i < n; i++) ids.push((await producer.notify({ type: 'order.paid', payload: { i: ids.length } })).messageId)
    }
    // Both listen: the first commit is delivered without a poll.
    await commit(1)
    await eventually(delivered(ids), 10_000)

    // Work in flight while every connection drops; new ones are dropped as they arrive.
    const busy = commit(40)
    await eventually(() => receiver.received.length > 3)
    proxy.set('cut')
    await busy
    const c = dispatcher()
    c.outbox.start()
    await commit(20)
    await eventually(() => a.errors.length > 0 && b.errors.length > 0 && c.errors.length > 0, 10_000)
    await sleep(5_000)
    proxy.set('open')

    // After a database error a dispatcher backs off, doubling up to its poll interval (60 s here);
    // on a loaded machine each failed connect takes its full 2 s timeout, the outage lasts longer
    // and the back-off grows with it: 20 s was once not enough beside three other suites.
    await eventually(delivered(ids), 60_000)
    // Every dispatcher listens again, the one started during the outage too.
    const listening = () =>
      t.pool
        .query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1`, [`LISTEN "hookbox_wake:${t.schema}"`])
        .then((r) => r.rows[0].n as number)
    await eventually(async () => (await listening()) === 3, 10_000)
    await a.outbox.close({ timeout: 5_000 })
    await b.outbox.close({ timeout: 5_000 })
    // Only c is left, on a 60 s poll: a commit reaches it through LISTEN.
    // Well inside the 60 s poll: only the LISTEN wake-up can deliver it this soon.
    await commit(1)
    await eventually(delivered(ids), 30_000, 5)
    await c.outbox.close({ timeout: 5_000 })
    await producer.close()
    expect(uncaught).toEqual([])
  })

  it('stop() and close() end within their timeout while every connection hangs', { timeout: 30_000 }, async () => {
    proxy.set('open')
    const d = dispatcher()
    d.outbox.start()
    await eventually(async () => {
      const r = await t.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1`, [
        `LISTEN "hookbox_wake:${t.schema}"`,
      ])
      return r.rows[0].n === 1
    })
    proxy.set('hang')
    // Every connection hangs for good: close() returning at all (before the test's timeout) is the bound.
    await d.outbox.close({ timeout: 500 })
    proxy.set('cut')
    expect(uncaught).toEqual([])
  })
})
