import { createOutbox } from '@hookbox/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import pg from 'pg'
import { databaseUrl, eventually, sleep, startReceiver, testSchema, type Receiver } from './helpers.js'

const t = testSchema('hb_wake')
let receiver: Receiver

beforeAll(async () => {
  receiver = await startReceiver()
})
afterAll(async () => {
  await receiver.close()
  await t.drop()
})

describe('wake modes', () => {
  it('poll mode sends no NOTIFY and opens no LISTEN: work waits for the poll', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    expect(store.queue.subscribe).toBeUndefined()
    const consumer = createOutbox({
      store,
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] } },
      dispatcher: { pollIntervalMs: 60_000 },
    })
    const producer = createOutbox({ store: postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' }) })
    await consumer.migrate()
    await consumer.collections.upsert({ name: 'main' })
    await consumer.endpoints.create({ collection: 'main', url: receiver.url })
    consumer.start()
    await sleep(200)
    const { messageId } = await producer.notify({ type: 'a.b', payload: 1 })
    await sleep(700)
    expect(receiver.received.map((r) => r.webhookId)).not.toContain(messageId)
    await consumer.drain()
    expect(receiver.received.map((r) => r.webhookId)).toContain(messageId)
    await consumer.close()
  })

  it('coalesced mode: a burst of commits sends few NOTIFYs and is still delivered without a poll', async () => {
    const listener = new pg.Client({ connectionString: databaseUrl })
    await listener.connect()
    let notifications = 0
    listener.on('notification', () => notifications++)
    await listener.query(`LISTEN "hookbox_wake:${t.schema}"`)
    const consumer = createOutbox({
      store: postgresStore({ pool: t.pool, schema: t.schema }),
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] } },
      dispatcher: { pollIntervalMs: 60_000 },
    })
    // Quiet gaps off: on a loaded machine the 20 sequential transactions may each come 2 ms apart.
    const producer = createOutbox({
      store: postgresStore({ pool: t.pool, schema: t.schema, coalesceMs: 200, coalesceQuietMs: Number.POSITIVE_INFINITY }),
    })
    await consumer.migrate()
    await consumer.collections.upsert({ name: 'burst', events: ['burst.*'] })
    await consumer.endpoints.create({ collection: 'burst', url: `${receiver.url}/burst` })
    consumer.start()
    await sleep(200)
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const client = await t.pool.connect()
      await client.query('BEGIN')
      ids.push((await producer.notify({ type: 'burst.item', payload: i }, { transaction: client })).messageId)
      await client.query('COMMIT')
      client.release()
    }
    await eventually(() => ids.every((id) => receiver.received.some((r) => r.webhookId === id)), 3_000)
    expect(notifications).toBeGreaterThanOrEqual(1)
    expect(notifications).toBeLessThan(20)
    await consumer.close()
    await producer.close()
    await listener.end()
  })

  it('wake() notifies listeners outside any transaction', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    let woken = 0
    const unsubscribe = await store.queue.subscribe!(() => woken++)
    const afterConnect = woken
    await store.queue.wake!()
    await (async () => {
      for (let i = 0; i < 100 && woken === afterConnect; i++) await sleep(10)
    })()
    expect(woken).toBeGreaterThan(afterConnect)
    await unsubscribe()
    await store.close()
  })

  it('listens through listenConnectionString and reconnects after the connection is killed', async () => {
    const { databaseUrl } = await import('./helpers.js')
    const store = postgresStore({ pool: t.pool, schema: t.schema, listenConnectionString: databaseUrl, listenMaxBackoffMs: 200 })
    let woken = 0
    const unsubscribe = await store.queue.subscribe!(() => woken++)
    const killed = await t.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %${t.schema}%'`)
    expect(killed.rowCount).toBe(1)
    const listening = async () =>
      (await t.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %${t.schema}%' AND state = 'idle'`))
        .rows[0].n
    for (let i = 0; i < 100 && (await listening()) === 0; i++) await sleep(20)
    await sleep(100)
    const before = woken
    await store.queue.wake!()
    for (let i = 0; i < 100 && woken === before; i++) await sleep(10)
    expect(woken).toBeGreaterThan(before)
    await unsubscribe()
  })
})
