import { createOutbox, ManualClock, type Outbox } from '@hookbox/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore, type PostgresStore } from '../src/index.js'
import { sleep, testSchema } from './helpers.js'

const t = testSchema('hb_idem')
const clock = new ManualClock(Date.UTC(2026, 0, 1))
let store: PostgresStore
let outbox: Outbox

beforeAll(async () => {
  store = postgresStore({ pool: t.pool, schema: t.schema })
  outbox = createOutbox({ store, clock, idempotencyWindowMs: 60_000 })
  await outbox.migrate()
})

afterAll(async () => {
  await outbox?.close()
  await t.drop()
})

async function messageCount(): Promise<number> {
  const r = await t.pool.query(`SELECT count(*)::int AS n FROM "${t.schema}".messages`)
  return r.rows[0].n
}

describe('idempotency keys', () => {
  it('returns the first ids for a repeat and writes nothing', async () => {
    const first = await outbox.notify({ type: 'a.b', payload: 1, requestId: 'req-1' }, { idempotencyKey: 'k1' })
    const before = await messageCount()
    const again = await outbox.notify({ type: 'a.b', payload: 2, requestId: 'req-2' }, { idempotencyKey: 'k1' })
    expect(first.duplicate).toBe(false)
    expect(again).toEqual({ messageId: first.messageId, requestId: 'req-1', duplicate: true })
    expect(await messageCount()).toBe(before)
  })

  it('treats a key repeated inside one notifyMany as a duplicate of its first use', async () => {
    const out = await outbox.notifyMany([
      { type: 'a.b', payload: 1, idempotencyKey: 'k2' },
      { type: 'a.b', payload: 2 },
      { type: 'a.b', payload: 3, idempotencyKey: 'k2' },
      { type: 'a.b', payload: 4, idempotencyKey: 'k1' },
    ])
    expect(out.map((o) => o.duplicate)).toEqual([false, false, true, true])
    expect(out[2]!.messageId).toBe(out[0]!.messageId)
    expect((await store.queue.getMessage({ id: out[1]!.messageId }))?.payload).toBe('2')
  })

  it('lets a key older than the window through as a new message', async () => {
    const first = await outbox.notify({ type: 'a.b', payload: 1 }, { idempotencyKey: 'k3' })
    clock.advance(60_001)
    const later = await outbox.notify({ type: 'a.b', payload: 2 }, { idempotencyKey: 'k3' })
    expect(later.duplicate).toBe(false)
    expect(later.messageId).not.toBe(first.messageId)
    expect(await store.queue.getMessage({ id: first.messageId })).toBeDefined()
    const repeat = await outbox.notify({ type: 'a.b', payload: 3 }, { idempotencyKey: 'k3' })
    expect(repeat).toMatchObject({ messageId: later.messageId, duplicate: true })
  })

  it('makes a concurrent writer of the same key wait for the first and return its ids', async () => {
    const a = await t.pool.connect()
    const b = await t.pool.connect()
    try {
      await a.query('BEGIN')
      await b.query('BEGIN')
      const first = await outbox.notify({ type: 'a.b', payload: 'a' }, { idempotencyKey: 'k4', transaction: a })
      let settled = false
      const second = outbox.notify({ type: 'a.b', payload: 'b' }, { idempotencyKey: 'k4', transaction: b }).finally(() => (settled = true))
      await sleep(150)
      expect(settled).toBe(false) // blocked on the key held by a's open transaction
      await a.query('COMMIT')
      expect(await second).toEqual({ messageId: first.messageId, requestId: first.requestId, duplicate: true })
      await b.query('COMMIT')
    } finally {
      a.release()
      b.release()
    }
  })

  it('frees the key when the first writer rolls back', async () => {
    const a = await t.pool.connect()
    const b = await t.pool.connect()
    try {
      await a.query('BEGIN')
      await b.query('BEGIN')
      await outbox.notify({ type: 'a.b', payload: 'a' }, { idempotencyKey: 'k5', transaction: a })
      const second = outbox.notify({ type: 'a.b', payload: 'b' }, { idempotencyKey: 'k5', transaction: b })
      await sleep(100)
      await a.query('ROLLBACK')
      const won = await second
      await b.query('COMMIT')
      expect(won.duplicate).toBe(false)
      expect((await store.queue.getMessage({ id: won.messageId }))?.payload).toBe('"b"')
    } finally {
      a.release()
      b.release()
    }
  })
})
