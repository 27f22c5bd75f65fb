import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema, tuplesReadSoFar } from './helpers.js'

const t = testSchema('hb_head_of_line', 2)

afterAll(() => t.drop())

describe('head-of-line claims (migration 18)', () => {
  it("a claim skipping an endpoint reads as many deliveries whatever that endpoint's due backlog, and takes the others'", async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    const s = `"${t.schema}"`
    await t.pool.query(`INSERT INTO ${s}.collections (name, policy, failure_mode, created_at, updated_at) VALUES ('c', '{}', 'each', 0, 0)`)
    const insert = (from: number, to: number, endpoint: string | null, dueAt: number) =>
      t.pool.query(
        `INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
        state, next_attempt_at, window_start, created_at, updated_at)
        SELECT lpad(g::text, 8, '0'), 'm' || g, g, 'r' || g, 'c', 'each', $3, '[]', 'pending', $4, 0, 0, 0 FROM generate_series($1::int, $2::int) g`,
        [from, to, endpoint, dueAt],
      )
    // Another customer's endpoints e1 and e3 (either side of e2 in key order) and a majority
    // delivery, each due after the whole of e2's backlog.
    await insert(900_001, 900_001, 'e1', 5)
    await insert(900_002, 900_002, 'e3', 5)
    await insert(900_003, 900_003, null, 6)
    const claim = async (skip: string[], limit: number) => {
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
    }
    const reads: number[] = []
    let seeded = 0
    for (const backlog of [2_000, 20_000]) {
      // The stuck endpoint e2's due backlog, ahead of everything else in claim order.
      await insert(seeded + 1, backlog, 'e2', 1)
      seeded = backlog
      await t.pool.query(`ANALYZE ${s}.deliveries`)
      expect((await claim(['e2'], 2)).ids).toEqual(['00900001', '00900002'])
      expect((await claim(['e2', 'e3'], 5)).ids).toEqual(['00900001', '00900003'])
      const { ids, read } = await claim(['e2'], 5)
      expect(ids).toEqual(['00900001', '00900002', '00900003'])
      reads.push(read)
      // Nothing skipped: the backlog's first deliveries, as before.
      expect((await claim([], 3)).ids).toEqual(['00000001', '00000002', '00000003'])
    }
    // A few hundred (the first due window, then one endpoint at a time), not the backlog.
    expect(reads[0]).toBeLessThan(1_000)
    expect(reads[1]).toBeLessThan(reads[0]! * 1.5)
  })
})
