import { Kysely, SqliteDialect } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fromBetterSqlite3, policies, type Outbox, type SyncSqlExecutor } from '@hookbox/core'
import { TestReceiver, testOutbox } from '@hookbox/core/testing'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

describe('sqlite: notify inside the host transaction', () => {
  let t: ReturnType<typeof tempDatabase>
  let receiver: TestReceiver
  let outbox: Outbox

  beforeEach(async () => {
    t = tempDatabase()
    receiver = await TestReceiver.start()
    ;({ outbox } = testOutbox(sqliteStore({ database: t.db })))
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed(), failureMode: 'majority' })
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
  })
  afterEach(async () => {
    await outbox.close()
    await receiver.close()
    t.cleanup()
  })

  const update = () => t.db.prepare("UPDATE entity SET state = 'PASS' WHERE id = 'e1'").run()
  const state = () => (t.db.prepare("SELECT state FROM entity WHERE id = 'e1'").get() as { state: string }).state

  it('better-sqlite3: committed is delivered, with ids returned synchronously', async () => {
    let result: { messageId: string; requestId: string } | undefined
    t.db.transaction(() => {
      update()
      result = outbox.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', from: 'FAIL', to: 'PASS' } }, { transaction: t.db })
    })()
    expect(result!.messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    await outbox.drain()
    expect(receiver.requests).toHaveLength(1)
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(result!.messageId)
  })

  it('better-sqlite3: rolled back is never sent', async () => {
    expect(() =>
      t.db.transaction(() => {
        update()
        outbox.notify({ type: 'entity.state_changed', payload: {} }, { transaction: t.db })
        throw new Error('host changes its mind')
      })(),
    ).toThrow('host changes its mind')
    expect(state()).toBe('FAIL')
    await outbox.drain()
    expect(receiver.requests).toHaveLength(0)
    expect(t.db.prepare('SELECT count(*) AS n FROM hookbox_messages').get()).toEqual({ n: 0 })
  })

  it('bad input throws synchronously, so the host transaction rolls back and nothing is written', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const cases: Array<[unknown, string]> = [
      [{ type: 'entity.changed', payload: 10n }, 'PAYLOAD_NOT_SERIALIZABLE'],
      [{ type: 'entity.changed', payload: cyclic }, 'PAYLOAD_NOT_SERIALIZABLE'],
      [{ type: 'entity.changed', payload: 'x'.repeat(300 * 1024) }, 'PAYLOAD_TOO_LARGE'],
      [{ type: 'not a type!', payload: {} }, 'VALIDATION'],
      [{ type: 'entity.changed', payload: {}, requestId: 'has/slash' }, 'VALIDATION'],
    ]
    for (const [event, code] of cases) {
      expect(() =>
        t.db.transaction(() => {
          update()
          outbox.notify(event as never, { transaction: t.db })
        })(),
      ).toThrow(expect.objectContaining({ code }))
    }
    expect(state()).toBe('FAIL')
    expect(t.db.prepare('SELECT count(*) AS n FROM hookbox_messages').get()).toEqual({ n: 0 })
  })

  it('kysely transaction: committed is delivered, rolled back is not', async () => {
    const k = new Kysely<{ entity: { id: string; state: string } }>({ dialect: new SqliteDialect({ database: t.db }) })
    const committed = await k.transaction().execute(async (trx) => {
      await trx.updateTable('entity').set({ state: 'PASS' }).where('id', '=', 'e1').execute()
      return outbox.notify({ type: 'entity.state_changed', payload: { to: 'PASS' } }, { transaction: trx })
    })
    await expect(
      k.transaction().execute(async (trx) => {
        await outbox.notify({ type: 'entity.state_changed', payload: { to: 'NEVER' } }, { transaction: trx })
        throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    await outbox.drain()
    expect(receiver.requests.map((r) => JSON.parse(r.body))).toEqual([{ to: 'PASS' }])
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(committed.messageId)
  })

  it("notifyMany writes all events in the caller's transaction", async () => {
    const results = t.db.transaction(() =>
      outbox.notifyMany(
        [1, 2, 3].map((n) => ({ type: 'entity.changed', payload: { n } })),
        { transaction: t.db },
      ),
    )()
    expect(results.map((r) => r.duplicate)).toEqual([false, false, false])
    await outbox.drain()
    expect(receiver.requests.map((r) => JSON.parse(r.body).n).sort()).toEqual([1, 2, 3])
  })

  it('results.put joins the host transaction: committed with it, or rolled back with it', async () => {
    const stored = t.db.transaction(() => {
      update()
      outbox.notify({ type: 'entity.state_changed', payload: {}, requestId: 'req-ok' }, { transaction: t.db })
      return outbox.results.put('req-ok', { status: 200, body: { state: 'PASS' } }, { transaction: t.db })
    })()
    expect(stored.status).toBe(200)
    expect(() =>
      t.db.transaction(() => {
        outbox.results.put('req-lost', { status: 200, body: {} }, { transaction: t.db })
        throw new Error('rollback')
      })(),
    ).toThrow('rollback')
    expect(await outbox.results.get('req-ok')).toMatchObject({ status: 200, body: { state: 'PASS' } })
    expect(await outbox.results.get('req-lost')).toBeUndefined()
    const k = new Kysely<{ entity: { id: string; state: string } }>({ dialect: new SqliteDialect({ database: t.db }) })
    await expect(
      k.transaction().execute(async (trx) => {
        await outbox.results.put('req-kysely', { status: 202, body: null }, { transaction: trx })
        throw new Error('rollback')
      }),
    ).rejects.toThrow('rollback')
    expect(await outbox.results.get('req-kysely')).toBeUndefined()
  })

  it('writes through any executeSqlSync object (where an ORM adapter plugs in), synchronously and in the transaction', async () => {
    const seen: string[] = []
    const adapter = fromBetterSqlite3(t.db)
    const orm: SyncSqlExecutor = {
      executeSqlSync(text, values) {
        seen.push(text.split(' ', 3).join(' '))
        return adapter.executeSqlSync(text, values)
      },
    }
    expect(() =>
      t.db.transaction(() => {
        update()
        const r = outbox.notify({ type: 'entity.state_changed', payload: { n: 1 } }, { transaction: orm })
        expect(r.duplicate).toBe(false)
        throw new Error('roll back')
      })(),
    ).toThrow('roll back')
    expect(seen).toEqual(['insert into "hookbox_messages"'])
    const kept = t.db.transaction(() => outbox.notify({ type: 'entity.state_changed', payload: { n: 2 } }, { transaction: orm }))()
    await outbox.drain()
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([kept.messageId])
    expect(state()).toBe('FAIL')
  })

  it('rejects an unknown transaction handle with a typed error, as a rejected promise', async () => {
    await expect(
      outbox.notify({ type: 'entity.changed', payload: {} }, { transaction: { not: 'a handle' } as never }),
    ).rejects.toMatchObject({
      code: 'INVALID_TRANSACTION',
    })
  })

  it('idempotency keys: a repeat returns the first ids and sends once', async () => {
    const a = await outbox.notify({ type: 'entity.changed', payload: {}, idempotencyKey: 'check-42' })
    const b = await outbox.notify({ type: 'entity.changed', payload: {}, idempotencyKey: 'check-42' })
    expect(b).toEqual({ ...a, duplicate: true })
    await outbox.drain()
    expect(receiver.requests).toHaveLength(1)
  })
})
