import { ValidationError, type Outbox } from '@hookbox/core'
import { eventually, TestReceiver, testOutbox } from '@hookbox/core/testing'
import { Kysely, MysqlDialect, sql } from 'kysely'
import type { PoolConnection } from 'mysql2/promise'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { testDatabases } from './support.js'

const databases = testDatabases('hb_tx')
afterAll(() => databases.end())

interface Host {
  entity: { id: string; state: string }
}

describe('mysql: notify inside the host transaction', () => {
  let database: string
  let receiver: TestReceiver
  let outbox: Outbox
  let db: Kysely<Host>
  const connections: PoolConnection[] = []

  beforeEach(async () => {
    database = await databases.create()
    receiver = await TestReceiver.start()
    db = new Kysely<Host>({ dialect: new MysqlDialect({ pool: databases.pool }) }).withSchema(database)
    // The store over the host's own kysely instance: `{ db }` instead of `{ pool }`.
    ;({ outbox } = testOutbox(mysqlStore({ db, database })))
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', events: ['entity.*'] })
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    await sql`CREATE TABLE ${sql.table(`${database}.entity`)} (id VARCHAR(10) PRIMARY KEY, state VARCHAR(10) NOT NULL)`.execute(db)
    await db.insertInto('entity').values({ id: 'e1', state: 'FAIL' }).execute()
  })
  afterEach(async () => {
    // A failed test may leave a transaction open: its locks would hold up DROP DATABASE.
    for (const c of connections.splice(0)) await c.rollback().finally(() => c.release())
    await outbox.close()
    await receiver.close()
    await databases.drop(database)
  })

  const connect = async () => {
    const c = await databases.pool.promise().getConnection()
    connections.push(c)
    return c
  }
  const state = async () => (await db.selectFrom('entity').select('state').where('id', '=', 'e1').executeTakeFirstOrThrow()).state
  const messages = async () =>
    Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(`${database}.hookbox_messages`)}`.execute(db)).rows[0]!.n)
  const bodies = () => receiver.requests.map((r) => JSON.parse(r.body))
  /** Resolves once the connection's thread is stuck in a statement on the key table (waiting for a's row lock). */
  const waitingOnKey = (c: PoolConnection) =>
    eventually(async () => {
      const { rows } = await sql<{
        info: string | null
      }>`SELECT INFO AS info FROM information_schema.PROCESSLIST WHERE ID = ${c.threadId}`.execute(db)
      return rows[0]?.info?.includes('hookbox_idempotency_keys') ?? false
    })

  it('kysely transaction: committed is delivered, rolled back is not', async () => {
    const committed = await db.transaction().execute(async (trx) => {
      await trx.updateTable('entity').set({ state: 'PASS' }).where('id', '=', 'e1').execute()
      return outbox.notify({ type: 'entity.changed', payload: { to: 'PASS' } }, { transaction: trx })
    })
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('entity').set({ state: 'NEVER' }).where('id', '=', 'e1').execute()
        await outbox.notify({ type: 'entity.changed', payload: { to: 'NEVER' } }, { transaction: trx })
        throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    expect(await state()).toBe('PASS')
    await outbox.drain()
    expect(bodies()).toEqual([{ to: 'PASS' }])
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(committed.messageId)
    expect(await messages()).toBe(1)
  })

  it('mysql2 connection: delivered after commit(), never sent after rollback()', async () => {
    const c = await connect()
    await c.beginTransaction()
    await c.query(`UPDATE \`${database}\`.entity SET state = 'PASS' WHERE id = 'e1'`)
    const committed = await outbox.notifyMany(
      [1, 2].map((n) => ({ type: 'entity.changed', payload: { n } })),
      { transaction: c },
    )
    await outbox.drain()
    expect(receiver.requests).toHaveLength(0) // not visible before the host commits
    await c.commit()
    await c.beginTransaction()
    await outbox.notify({ type: 'entity.changed', payload: { n: 'never' } }, { transaction: c })
    await c.rollback()
    await outbox.drain()
    expect(
      bodies()
        .map((b) => b.n)
        .sort(),
    ).toEqual([1, 2])
    expect(receiver.requests.map((r) => r.headers['webhook-id']).sort()).toEqual(committed.map((r) => r.messageId).sort())
    expect(await messages()).toBe(2)
  })

  it('mysql2 connection with autocommit off is inside a transaction without BEGIN', async () => {
    const c = await connect()
    await c.query('SET autocommit = 0')
    await outbox.notify({ type: 'entity.changed', payload: { n: 'never' } }, { transaction: c })
    await c.rollback()
    await outbox.notify({ type: 'entity.changed', payload: { n: 'kept' } }, { transaction: c })
    await c.commit()
    await c.query('SET autocommit = 1')
    await outbox.drain()
    expect(bodies()).toEqual([{ n: 'kept' }])
  })

  it('results.put joins the host transaction (kysely and mysql2) and rolls back with it', async () => {
    await db.transaction().execute((trx) => outbox.results.put('req-ok', { status: 200, body: { ok: true } }, { transaction: trx }))
    await expect(
      db.transaction().execute(async (trx) => {
        await outbox.results.put('req-kysely', { status: 202, body: null }, { transaction: trx })
        throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    const c = await connect()
    await c.beginTransaction()
    await outbox.results.put('req-mysql2', { status: 200, body: 1 }, { transaction: c })
    await c.rollback()
    expect(await outbox.results.get('req-ok')).toMatchObject({ status: 200, body: { ok: true } })
    expect(await outbox.results.get('req-kysely')).toBeUndefined()
    expect(await outbox.results.get('req-mysql2')).toBeUndefined()
  })

  it('a concurrent writer of the same key waits for the first: a duplicate after its commit, the owner after its rollback', async () => {
    const [a, b] = [await connect(), await connect()]
    for (const [key, end] of [
      ['k-commit', 'commit'],
      ['k-rollback', 'rollback'],
    ] as const) {
      await a.beginTransaction()
      await b.beginTransaction()
      const first = await outbox.notify({ type: 'entity.changed', payload: 'a' }, { idempotencyKey: key, transaction: a })
      const second = outbox.notify({ type: 'entity.changed', payload: 'b' }, { idempotencyKey: key, transaction: b })
      await waitingOnKey(b) // b waits on the key row a holds
      await (end === 'commit' ? a.commit() : a.rollback())
      const won = await second
      await b.commit()
      if (end === 'commit') expect(won).toEqual({ ...first, duplicate: true })
      else expect(won).toMatchObject({ duplicate: false })
      expect((await outbox.deliveries.list()).length).toBe(0) // not expanded yet
      const [owner] = await db
        .selectFrom('hookbox_idempotency_keys' as never)
        .select(['message_id' as never])
        .where('key' as never, '=', key as never)
        .execute()
      expect(owner).toEqual({ message_id: end === 'commit' ? first.messageId : won.messageId })
    }
  })

  it("a key committed after the host's snapshot was taken is still seen (locking read)", async () => {
    const [a, b] = [await connect(), await connect()]
    await b.beginTransaction()
    await b.query(`SELECT * FROM \`${database}\`.entity`) // REPEATABLE READ: b's snapshot starts here
    await a.beginTransaction()
    const first = await outbox.notify({ type: 'entity.changed', payload: 'a' }, { idempotencyKey: 'k-snap', transaction: a })
    await a.commit()
    const again = await outbox.notify({ type: 'entity.changed', payload: 'b' }, { idempotencyKey: 'k-snap', transaction: b })
    await b.commit()
    expect(again).toEqual({ ...first, duplicate: true })
    expect(await messages()).toBe(1)
  })
})

describe('mysql: configuration', () => {
  it('needs exactly one of pool or db, and a plain database name', () => {
    const db = new Kysely({ dialect: new MysqlDialect({ pool: databases.pool }) })
    expect(() => mysqlStore({})).toThrow(ValidationError)
    expect(() => mysqlStore({ pool: databases.pool, db })).toThrow(ValidationError)
    expect(() => mysqlStore({ pool: databases.pool, database: 'x`; DROP' })).toThrow(ValidationError)
    expect(mysqlStore({ pool: databases.pool.promise(), database: 'hb_ok' }).name).toBe('mysql')
  })
})
