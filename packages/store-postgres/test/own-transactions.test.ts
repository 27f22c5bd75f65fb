import { createPlanner } from '@hookbox/core'
import { afterAll, describe, expect, it } from 'vitest'
import { backlogOutbox, testSchema } from './helpers.js'

// One connection: the pool's statements and the transaction's share it, and so its prepared statements.
const t = testSchema('hb_own_tx', 1)
afterAll(() => t.drop())

describe("the store's own transactions (Postgres)", () => {
  it("prepare their statements on the connection, as the pool's do: a full batch's locked read and write are parsed once", async () => {
    const { store } = await backlogOutbox(t, 250)
    const planner = createPlanner()
    // Two full batches (the second straight to the locking transaction), then the short rest.
    const expanded = []
    for (let i = 0; i < 3; i++) expanded.push((await store.queue.expand({ limit: 100, now: Date.now(), planner })).expanded)
    expect(expanded).toEqual([100, 100, 50])
    const { rows } = await t.pool.query<{ statement: string }>(
      `SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%FOR UPDATE SKIP LOCKED%' OR statement LIKE 'WITH inserted AS%'`,
    )
    const locked = rows.map((r) => r.statement.trim())
    // The locked batch read and the locked write: each prepared once, whatever the batches.
    expect(locked.filter((s) => s.startsWith('WITH inserted AS'))).toHaveLength(1)
    expect(
      locked.filter((s) => /FROM\s+"[^"]+"\."messages" WHERE NOT expanded ORDER BY seq LIMIT \$\d+ FOR UPDATE SKIP LOCKED/.test(s)),
    ).toHaveLength(1)
  })
})
