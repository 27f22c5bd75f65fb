import { createOutbox, createPlanner } from '@hookbox/core'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_expunl')
afterAll(() => t.drop())

/**
 * Counts what the store sends on its pool: autocommit statements (`pool.query`), and
 * connections checked out for a transaction (`pool.connect` other than pool.query's own).
 */
function countPool() {
  const counts = { statements: 0, connections: 0 }
  const pool = t.pool as unknown as { query: (...a: unknown[]) => unknown; connect: (...a: unknown[]) => unknown }
  const query = pool.query.bind(pool)
  const connect = pool.connect.bind(pool)
  let inQuery = false
  pool.query = (...a) => {
    counts.statements++
    inQuery = true
    try {
      return query(...a)
    } finally {
      inQuery = false
    }
  }
  pool.connect = (...a) => {
    if (!inQuery) counts.connections++
    return connect(...a)
  }
  return {
    counts,
    restore: () => Object.assign(pool, { query, connect }),
  }
}

const deliveries = async () =>
  (await t.pool.query<{ message_id: string }>(`SELECT message_id FROM "${t.schema}".deliveries ORDER BY message_id`)).rows.map(
    (r) => r.message_id,
  )

describe('expansion of a short batch without a transaction (Postgres)', () => {
  it('expands a just-committed message in two statements, no transaction, and leases its delivery', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    const outbox = createOutbox({ store })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'main', events: ['a.*'] })
    await outbox.endpoints.create({ collection: 'main', url: 'https://example.com/hook' })
    const { messageId } = await outbox.notify({ type: 'a.b', payload: 1 })
    const planner = createPlanner()
    const pool = countPool()
    let result
    try {
      result = await store.queue.expand({ limit: 100, now: Date.now(), planner, lease: { owner: 'me', leaseMs: 30_000, limit: 10 } })
    } finally {
      pool.restore()
    }
    expect(result.expanded).toBe(1)
    expect(result.claims.map((c) => c.delivery.messageId)).toEqual([messageId])
    // The read, the routing read (this planner holds no routing) and the write; no BEGIN/COMMIT.
    expect(pool.counts).toEqual({ statements: 3, connections: 0 })
    expect(await deliveries()).toEqual([messageId])
    await outbox.close()
  })

  it('writes nothing for a message another expansion holds, announces it unrouted only once expanded, and never twice', async () => {
    const schema = testSchema('hb_expunl2')
    try {
      const outbox = createOutbox({ store: postgresStore({ pool: schema.pool, schema: schema.schema, wake: 'poll' }) })
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'main', events: ['a.*'] })
      await outbox.endpoints.create({ collection: 'main', url: 'https://example.com/hook' })
      const routed = await outbox.notify({ type: 'a.b', payload: 1 })
      const unrouted = await outbox.notify({ type: 'z.none', payload: 2 })
      const announced: string[] = []
      outbox.on('unrouted', (e) => announced.push(e.messageId))
      // Another expansion's lock on both messages: this pass reads them, plans them, and skips them.
      const other = await schema.pool.connect()
      await other.query('BEGIN')
      const count = async () => Number((await schema.pool.query(`SELECT count(*) AS n FROM "${schema.schema}".deliveries`)).rows[0].n)
      const expanded = async () =>
        Number((await schema.pool.query(`SELECT count(*) AS n FROM "${schema.schema}".messages WHERE expanded`)).rows[0].n)
      try {
        await other.query(`SELECT id FROM "${schema.schema}".messages FOR UPDATE`)
        await outbox.drain()
        expect(await count()).toBe(0)
        expect(await expanded()).toBe(0)
        expect(announced).toEqual([])
      } finally {
        await other.query('COMMIT')
        other.release()
      }
      await outbox.drain()
      expect(await expanded()).toBe(2)
      expect(announced).toEqual([unrouted.messageId])
      const rows = await schema.pool.query(`SELECT message_id FROM "${schema.schema}".deliveries`)
      expect(rows.rows.map((r) => r.message_id)).toEqual([routed.messageId])
      await outbox.drain()
      expect(announced).toEqual([unrouted.messageId])
      await outbox.close()
    } finally {
      await schema.drop()
    }
  })
})
