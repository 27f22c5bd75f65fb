import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema, tuplesRead, tuplesReadSoFar } from './helpers.js'

const t = testSchema('hb_claim_plan', 2)
const u = testSchema('hb_claim_skip', 2)

afterAll(() => Promise.all([t.drop(), u.drop()]))

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
      // Tuples fetched from deliveries through an index (a bitmap scan counts too) or a scan.
      expect(await tuplesRead(t, 'deliveries', `SELECT * FROM ${s}.claim_plain(10, 5, 30010, 'o', '{}')`, [], c)).toBeLessThan(100)
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

  it('skips the only endpoint with pending deliveries without reading them, and finds the others', async () => {
    const store = postgresStore({ pool: u.pool, schema: u.schema })
    await store.housekeeping.migrate()
    const s = `"${u.schema}"`
    await u.pool.query(`INSERT INTO ${s}.collections (name, policy, failure_mode, created_at, updated_at) VALUES ('c', '{}', 'each', 0, 0)`)
    // 3,000 due deliveries for endpoint e2, one for each of e1 and e3, and one for none (majority), all analyzed.
    await u.pool
      .query(`INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
      state, next_attempt_at, window_start, created_at, updated_at)
      SELECT lpad(g::text, 8, '0'), 'm' || g, g, 'r' || g, 'c', 'each', 'e2', '[]', 'pending', 1, 0, 0, 0 FROM generate_series(1, 3000) g`)
    await u.pool.query(`ANALYZE ${s}.deliveries`)
    const claimIds = async (skip: string[]) => {
      const c = await u.pool.connect()
      try {
        await c.query('BEGIN')
        const before = await tuplesReadSoFar(c, u.schema, 'deliveries')
        await c.query(`SELECT FROM ${s}.claim_plain(10, 5, 30010, 'o', $1)`, [skip])
        const read = (await tuplesReadSoFar(c, u.schema, 'deliveries')) - before
        // What it leased (it returns only deliveries whose message exists; these have none).
        const claimed = await c.query(`SELECT id FROM ${s}.deliveries WHERE lease_owner = 'o' ORDER BY id`)
        await c.query('ROLLBACK')
        return { ids: claimed.rows.map((r: { id: string }) => r.id), read }
      } finally {
        c.release()
      }
    }
    const none = await claimIds(['e2'])
    expect(none.ids).toEqual([])
    expect(none.read).toBeLessThan(100)
    expect((await claimIds(['e2', 'e1', ''])).ids).toEqual([])
    // Whichever side of the skipped endpoint another one sorts, or none at all: it is found.
    const one = (id: string, endpoint: string | null) =>
      u.pool.query(
        `INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
        state, next_attempt_at, window_start, created_at, updated_at) VALUES ($1, $1, 9000, $1, 'c', 'each', $2, '[]', 'pending', 1, 0, 0, 0)`,
        [id, endpoint],
      )
    await one('z1', 'e1')
    expect((await claimIds(['e2'])).ids).toEqual(['z1'])
    expect((await claimIds(['e1', 'e2'])).ids).toEqual([])
    await one('z3', 'e3')
    expect((await claimIds(['e1', 'e2'])).ids).toEqual(['z3'])
    expect((await claimIds(['e3', 'e2'])).ids).toEqual(['z1'])
    await one('z0', null)
    expect((await claimIds(['e1', 'e2', 'e3'])).ids).toEqual(['z0'])
  })

  it('never JIT-compiles the claim, whatever the session allows', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    const c = await t.pool.connect()
    try {
      const { rows } = await c.query('SELECT pg_jit_available() AS ok')
      // A server built without LLVM cannot compile anything: nothing to pin there.
      if (!rows[0].ok) return
      const notices: string[] = []
      c.on('notice', (n) => notices.push(n.message ?? ''))
      await c.query(`LOAD 'auto_explain'`)
      for (const set of [
        'auto_explain.log_min_duration = 0',
        'auto_explain.log_nested_statements = on',
        'auto_explain.log_level = notice',
        'client_min_messages = notice',
        'jit = on',
        'jit_above_cost = 0',
      ])
        await c.query(`SET ${set}`)
      await c.query('BEGIN')
      await c.query(`SELECT * FROM "${t.schema}".claim_plain(10, 5, 30010, 'o', '{e2}')`)
      await c.query(`SELECT * FROM "${t.schema}".claim_plain(10, 5, 30010, 'o', '{}')`)
      await c.query('ROLLBACK')
      // The claim's own statement (the call around it is the session's business).
      const claims = notices.filter((n) => n.includes('WITH due AS'))
      expect(claims.length).toBeGreaterThan(0)
      expect(claims.filter((n) => n.includes('JIT:'))).toEqual([])
    } finally {
      c.removeAllListeners('notice')
      c.release(true)
    }
  })
})
