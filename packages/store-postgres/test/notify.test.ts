import { createOutbox, fromPg, InvalidTransactionError, type Outbox } from '@hookbox/core'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { eventually, sleep, startReceiver, testSchema, type Receiver } from './helpers.js'

// A producer outbox that never dispatches, and a consumer in "another process" that polls only
// every minute: whatever the consumer delivers within seconds was woken by LISTEN/NOTIFY.
const t = testSchema('hb_notify')
let receiver: Receiver
let producer: Outbox
let consumer: Outbox
let db: Kysely<any>

beforeAll(async () => {
  receiver = await startReceiver()
  producer = createOutbox({ store: postgresStore({ pool: t.pool, schema: t.schema }) })
  consumer = createOutbox({
    store: postgresStore({ pool: t.pool, schema: t.schema }),
    http: { allowHttp: true },
    security: { ssrf: { allow: ['127.0.0.1'] } },
    dispatcher: { pollIntervalMs: 60_000, leaseMs: 10_000 },
  })
  await producer.migrate()
  await consumer.collections.upsert({ name: 'main' })
  await consumer.endpoints.create({ collection: 'main', url: receiver.url })
  db = new Kysely({ dialect: new PostgresDialect({ pool: t.pool }) })
  await sql`CREATE TABLE ${sql.table(`${t.schema}.orders`)} (id int PRIMARY KEY, status text NOT NULL)`.execute(db)
  consumer.start()
})

afterAll(async () => {
  await consumer?.close()
  await producer?.close()
  await receiver?.close()
  await t.drop()
})

const orders = () => sql.table(`${t.schema}.orders`)
const idsReceived = () => receiver.received.map((r) => r.webhookId)
async function deliveredState(messageId: string) {
  const [d] = await consumer.deliveries.list({ messageId })
  return d?.state
}

describe('notify in the host transaction', () => {
  it('delivers a notify made in a committed kysely transaction', async () => {
    const result = await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ${orders()} VALUES (1, 'paid')`.execute(trx)
      return producer.notify({ type: 'order.paid', payload: { id: 1 } }, { transaction: trx })
    })
    expect(result.duplicate).toBe(false)
    await eventually(() => idsReceived().includes(result.messageId))
    await eventually(async () => (await deliveredState(result.messageId)) === 'delivered')
    const got = receiver.received.find((r) => r.webhookId === result.messageId)!
    expect(got.body).toBe('{"id":1}')
  })

  it('never sends a notify whose kysely transaction rolled back', async () => {
    let rolledBack = ''
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO ${orders()} VALUES (2, 'paid')`.execute(trx)
        rolledBack = (await producer.notify({ type: 'order.paid', payload: { id: 2 } }, { transaction: trx })).messageId
        throw new Error('host changed its mind')
      }),
    ).rejects.toThrow('host changed its mind')
    // A later committed notify is delivered, so the dispatcher was awake all along.
    const later = await db.transaction().execute((trx) => producer.notify({ type: 'order.paid', payload: { id: 3 } }, { transaction: trx }))
    await eventually(() => idsReceived().includes(later.messageId))
    await sleep(200)
    expect(idsReceived()).not.toContain(rolledBack)
    expect(await consumer.store.queue.getMessage({ id: rolledBack })).toBeUndefined()
  })

  it('writes through a pg PoolClient between BEGIN and COMMIT', async () => {
    const client = await t.pool.connect()
    let messageId: string
    try {
      await client.query('BEGIN')
      await client.query(`INSERT INTO "${t.schema}".orders VALUES (4, 'paid')`)
      messageId = (await producer.notify({ type: 'order.paid', payload: { id: 4 } }, { transaction: client })).messageId
      await sleep(150)
      expect(idsReceived()).not.toContain(messageId)
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    await eventually(() => idsReceived().includes(messageId))
    await eventually(async () => (await deliveredState(messageId)) === 'delivered')
  })

  it('writes through fromPg(client) without prepared statements (PgBouncer in transaction mode)', async () => {
    const client = await t.pool.connect()
    let messageId: string
    try {
      await client.query('BEGIN')
      const transaction = fromPg(client, { preparedStatements: false })
      messageId = (await producer.notify({ type: 'order.paid', payload: { id: 5 } }, { transaction })).messageId
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    await eventually(() => idsReceived().includes(messageId))
  })

  it('does not send a notify made through a pg client that rolled back', async () => {
    const client = await t.pool.connect()
    await client.query('BEGIN')
    const { messageId } = await producer.notify({ type: 'order.paid', payload: { id: 5 } }, { transaction: client })
    await client.query('ROLLBACK')
    client.release()
    expect(await consumer.store.queue.getMessage({ id: messageId })).toBeUndefined()
  })

  it('results.put joins the host transaction (kysely and pg client), and rolls back with it', async () => {
    await db.transaction().execute((trx) => producer.results.put('r-kysely', { status: 200, body: { ok: 1 } }, { transaction: trx }))
    await expect(
      db.transaction().execute(async (trx) => {
        await producer.results.put('r-lost', { status: 200, body: {} }, { transaction: trx })
        throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    const client = await t.pool.connect()
    try {
      await client.query('BEGIN')
      await producer.results.put('r-client', { status: 202, body: 'queued' }, { transaction: client })
      await client.query('COMMIT')
      await client.query('BEGIN')
      await producer.results.put('r-client-lost', { status: 202, body: null }, { transaction: client })
      await client.query('ROLLBACK')
    } finally {
      client.release()
    }
    expect(await producer.results.get('r-kysely')).toMatchObject({ status: 200, body: { ok: 1 } })
    expect(await producer.results.get('r-client')).toMatchObject({ status: 202, body: 'queued' })
    expect(await producer.results.get('r-lost')).toBeUndefined()
    expect(await producer.results.get('r-client-lost')).toBeUndefined()
  })

  it('wakes the dispatcher through LISTEN at commit, with a 60 s poll interval', async () => {
    const timings: number[] = []
    for (let i = 0; i < 5; i++) {
      await sleep(300) // let the dispatcher finish its pass and go to sleep for a minute
      const before = receiver.received.length
      const committedAt = await db.transaction().execute(async (trx) => {
        await producer.notify({ type: 'order.paid', payload: { i } }, { transaction: trx })
        return () => Date.now()
      })
      const start = committedAt()
      await receiver.waitFor(before + 1, 3_000)
      timings.push(Date.now() - start)
    }
    expect(Math.max(...timings)).toBeLessThan(1_000)
  })

  it('rejects a handle it does not understand, and a bare pg Pool', async () => {
    await expect(producer.notify({ type: 'x', payload: 1 }, { transaction: { foo: 1 } as never })).rejects.toThrow(InvalidTransactionError)
    // @ts-expect-error a Pool holds no transaction: its type is refused too
    await expect(producer.notify({ type: 'x', payload: 1 }, { transaction: t.pool })).rejects.toThrow(InvalidTransactionError)
  })
})
