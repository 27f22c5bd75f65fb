import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema, tuplesRead } from './helpers.js'

const t = testSchema('hb_claim_plan', 2)

afterAll(() => t.drop())

describe('claim plan', () => {
  it('reads about as many deliveries as it leases, not the whole due backlog, on a table never analyzed', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    const s = `"${t.schema}"`
    await t.pool.query(`INSERT INTO ${s}.collections (name, policy, failure_mode, created_at, updated_at) VALUES ('c', '{}', 'each', 0, 0)`)
    // 3,000 due deliveries inserted at once: the statistics still say the table is empty.
    await t.pool.query(`INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, targets, state,
      next_attempt_at, window_start, created_at, updated_at)
      SELECT lpad(g::text, 8, '0'), 'm' || g, g, 'r' || g, 'c', 'each', '[]', 'pending', 1, 0, 0, 0 FROM generate_series(1, 3000) g`)
    // Tuples fetched from deliveries through an index (a bitmap scan counts too) or a scan.
    expect(await tuplesRead(t, 'deliveries', `SELECT * FROM ${s}.claim_plain(10, 5, 30010, 'o', '{}')`)).toBeLessThan(100)
  })
})
