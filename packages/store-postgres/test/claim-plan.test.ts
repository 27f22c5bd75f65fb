import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

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
    const c = await t.pool.connect()
    try {
      // Several claims on one connection first (rolled back): the plan they keep is the one measured.
      for (let i = 0; i < 6; i++) {
        await c.query('BEGIN')
        await c.query(`SELECT * FROM ${s}.claim_plain(10, 5, 30010, 'o', '{}')`)
        await c.query('ROLLBACK')
      }
      await c.query('BEGIN')
      await c.query(`SELECT * FROM ${s}.claim_plain(10, 5, 30010, 'o', '{}')`)
      // Tuples this transaction fetched from deliveries through an index (a bitmap scan counts too).
      const { rows } = await c.query(
        `SELECT idx_tup_fetch + seq_tup_read AS n FROM pg_stat_xact_user_tables WHERE schemaname = $1 AND relname = 'deliveries'`,
        [t.schema],
      )
      await c.query('ROLLBACK')
      expect(Number(rows[0].n)).toBeLessThan(100)
    } finally {
      c.release()
    }
  })

  it('keeps one plan per connection, never JIT-compiled (migration 16)', async () => {
    // Planned per call, a claim of 100 rows spent as long planning as running; the generic
    // plan's estimate is past jit_above_cost, and compiling it cost 40 ms a call.
    const { rows } = await t.pool.query(`SELECT proconfig FROM pg_proc WHERE proname = 'claim_plain' AND pronamespace = $1::regnamespace`, [
      `"${t.schema}"`,
    ])
    expect(rows[0].proconfig).toEqual(expect.arrayContaining(['plan_cache_mode=force_generic_plan', 'jit=off', 'enable_bitmapscan=off']))
  })
})
