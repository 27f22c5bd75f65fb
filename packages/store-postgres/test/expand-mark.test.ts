import { createOutbox, createPlanner } from '@hookbox/core'
import type pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_expand_mark')
afterAll(() => t.drop())

type Query = (...a: unknown[]) => Promise<unknown>

describe('marking a batch expanded (Postgres)', () => {
  it("the locked write reads no message but the batch's own (by their addresses), not every row of the table", async () => {
    const s = `"${t.schema}"`
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    const outbox = createOutbox({ store })
    await outbox.migrate()
    // The statistics of a fresh table, as a drain right after a burst of notifies sees them.
    await t.pool.query(`ALTER TABLE ${s}.messages SET (autovacuum_enabled = false)`)
    await outbox.collections.upsert({ name: 'main', events: ['a.*'] })
    await outbox.endpoints.create({ collection: 'main', url: 'https://example.com/hook' })
    await outbox.notifyMany(Array.from({ length: 2000 }, (_, i) => ({ type: 'a.b', payload: { i } })))
    // The messages the expansion's write read (sequential and TID range scans), from this
    // backend's counts (`pg_stat_xact_*`: not yet flushed) on either side of that statement.
    const read: Array<{ scans: number; rows: number }> = []
    const pool = t.pool as unknown as { connect: (...a: unknown[]) => Promise<pg.PoolClient> }
    const connect = pool.connect.bind(t.pool)
    pool.connect = async (...a) => {
      if (typeof a[0] === 'function') return connect(...a) // pool.query's own
      const c = await connect(...a)
      const query = c.query.bind(c) as Query
      const counts = async () => {
        const { rows } = (await query(`SELECT seq_scan, seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = $1::regclass`, [
          `${s}.messages`,
        ])) as pg.QueryResult<{ seq_scan: string; seq_tup_read: string }>
        return { scans: Number(rows[0]!.seq_scan), rows: Number(rows[0]!.seq_tup_read) }
      }
      ;(c as unknown as { query: Query }).query = async (...args) => {
        // As text and values, or as a named statement's config.
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text
        if (!text?.startsWith('WITH inserted AS')) return query(...args)
        const before = await counts()
        const result = await query(...args)
        const after = await counts()
        read.push({ scans: after.scans - before.scans, rows: after.rows - before.rows })
        return result
      }
      return c
    }
    let expanded: number
    try {
      // A full batch: the look-up without a lock, then the locking transaction.
      expanded = (await store.queue.expand({ limit: 100, now: Date.now(), planner: createPlanner() })).expanded
    } finally {
      pool.connect = connect
    }
    expect(expanded).toBe(100)
    // By `id = ANY(…)` it scanned the whole table: 2,000 rows for a batch of 100.
    expect(read).toEqual([{ scans: 0, rows: 100 }])
  })
})
