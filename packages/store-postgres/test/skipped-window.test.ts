import { createHash } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { headOfLineClaimMigration } from '../src/migrations/000018-head-of-line-claim.js'
import { insertPending, testSchema } from './helpers.js'

const t = testSchema('hb_skipped_window', 2)
const s = `"${t.schema}"`

beforeAll(async () => {
  await postgresStore({ pool: t.pool, schema: t.schema }).housekeeping.migrate()
  await t.pool.query(`INSERT INTO ${s}.collections (name, policy, failure_mode, created_at, updated_at) VALUES ('c', '{}', 'each', 0, 0)`)
})

afterAll(() => t.drop())

const insert = (from: number, to: number, endpoint: string, dueAt: number) => insertPending(t, from, to, endpoint, dueAt)

/**
 * Deliveries this connection's transaction has fetched through an index so far (the skipped ones'
 * lookups by key among them; at this size the planner reads the small table's other checks by
 * sequential scan, left out).
 */
async function fetchedSoFar(c: pg.PoolClient): Promise<number> {
  const { rows } = await c.query(
    `SELECT coalesce(sum(idx_tup_fetch), 0) AS n FROM pg_stat_xact_user_tables WHERE schemaname = $1 AND relname = 'deliveries'`,
    [t.schema],
  )
  return Number(rows[0].n)
}

/** Claims up to `limit` at time 10 skipping `skip`: the ids leased in claim order and the deliveries fetched through an index; rolled back. */
async function claim(skip: string[], limit: number): Promise<{ ids: string[]; fetched: number }> {
  const c = await t.pool.connect()
  try {
    await c.query('BEGIN')
    const before = await fetchedSoFar(c)
    await c.query(`SELECT FROM ${s}.claim_plain(10, $1, 30010, 'o', $2)`, [limit, skip])
    const fetched = (await fetchedSoFar(c)) - before
    // Its result needs the messages; the leases are what it claimed.
    const { rows } = await c.query(`SELECT id FROM ${s}.deliveries WHERE lease_owner = 'o' ORDER BY next_attempt_at, message_seq, id`)
    await c.query('ROLLBACK')
    return { ids: rows.map((r: { id: string }) => r.id), fetched }
  } finally {
    c.release()
  }
}

describe('the head-of-line claim leaves skipped endpoints out of its window (migration 22)', () => {
  it("migration 18's SQL is unchanged (a landed database ran it)", () => {
    const sql = headOfLineClaimMigration.sql('"s"')
    expect(createHash('sha256').update(sql).digest('hex')).toBe('db3e651f58aca898b7798812135e459232980bffb37b78b1df995312a6279a17')
  })

  it("does not look up the skipped endpoints' deliveries of its window again to lock them", async () => {
    // e2 (skipped) has 20 due first; f has 3 not yet due. The window (2·5 + 32) is not full, so
    // nothing else is due: the claim takes nothing, having fetched each of e2's 20 once (the
    // window read), not a second time to lock it and drop it by the skip rule.
    await insert(1, 20, 'e2', 1)
    await insert(900_001, 900_003, 'f', 1_000)
    const none = await claim(['e2'], 5)
    expect(none.ids).toEqual([])
    expect(none.fetched).toBeLessThan(2 * 20)
    // 100 of e2's due fill the window with them: the claim goes endpoint by endpoint and leases
    // e1's 3, fetching the window's 42 once (the second time: 84 and more).
    await insert(21, 100, 'e2', 1)
    await insert(900_101, 900_103, 'e1', 5)
    const past = await claim(['e2'], 5)
    expect(past.ids).toEqual(['00900101', '00900102', '00900103'])
    expect(past.fetched).toBeLessThan(2 * 42)
    // One skipping e1 takes from the window (not full: its rows are e2's and e1's) only e2's.
    expect((await claim(['e1'], 3)).ids).toEqual(['00000001', '00000002', '00000003'])
    // Skipping nothing, e2's first come first, as before.
    expect((await claim([], 2)).ids).toEqual(['00000001', '00000002'])
  })
})
