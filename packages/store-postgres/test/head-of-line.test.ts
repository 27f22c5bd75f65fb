import { headOfLineReads } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { insertPending, testSchema, tuplesReadSoFar } from './helpers.js'

const t = testSchema('hb_head_of_line', 2)

afterAll(() => t.drop())

describe('head-of-line claims (migration 18)', () => {
  it("a claim skipping an endpoint reads as many tuples whatever that endpoint's due backlog, and takes the others'", async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    const s = `"${t.schema}"`
    await t.pool.query(`INSERT INTO ${s}.collections (name, policy, failure_mode, created_at, updated_at) VALUES ('c', '{}', 'each', 0, 0)`)
    const reads = await headOfLineReads({
      insert: (from, to, endpoint, dueAt) => insertPending(t, from, to, endpoint, dueAt),
      async claim(skip, limit) {
        const c = await t.pool.connect()
        try {
          await c.query('BEGIN')
          const before = await tuplesReadSoFar(c, t.schema, 'deliveries')
          await c.query(`SELECT FROM ${s}.claim_plain(10, $1, 30010, 'o', $2)`, [limit, skip])
          const read = (await tuplesReadSoFar(c, t.schema, 'deliveries')) - before
          const claimed = await c.query(`SELECT id FROM ${s}.deliveries WHERE lease_owner = 'o' ORDER BY next_attempt_at, message_seq, id`)
          await c.query('ROLLBACK')
          return { ids: claimed.rows.map((r: { id: string }) => r.id), read }
        } finally {
          c.release()
        }
      },
    })
    // Through the due index it read e2's whole backlog (2,011 and 20,011 tuples); now the first
    // due window, then each other endpoint's first due.
    expect(reads[0]).toBeLessThan(1_000)
    expect(reads[1]).toBeLessThan(reads[0]! * 1.5)
  })
})
