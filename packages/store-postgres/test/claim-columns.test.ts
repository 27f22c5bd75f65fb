import { createPlanner } from '@hookbox/core'
import type pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { backlogOutbox, testSchema } from './helpers.js'

const t = testSchema('hb_claim_columns')
afterAll(() => t.drop())

describe("the claim's result (Postgres)", () => {
  it('carries only the columns the records are made of: not the lease owner and expiry, nor the message seq', async () => {
    const { store } = await backlogOutbox(t, 200)
    const now = Date.now()
    const planner = createPlanner()
    for (let expanded = 0; expanded < 200;) expanded += (await store.queue.expand({ limit: 100, now, planner })).expanded
    const columns: string[][] = []
    const query = t.pool.query.bind(t.pool) as (config: unknown) => Promise<pg.QueryResult>
    Object.assign(t.pool, {
      query: async (config: { text?: string }) => {
        const result = await query(config)
        if (config.text?.includes('claim_plain')) columns.push(result.fields.map((f) => f.name))
        return result
      },
    })
    const { leased } = await store.queue.claim({ now, limit: 50, leaseMs: 30_000, owner: 'o' })
    expect(leased).toHaveLength(50)
    expect(leased[0]!.leaseToken).toMatch(/^[0-9a-f-]{36}$/)
    expect(columns).toHaveLength(1)
    expect(columns[0]).toHaveLength(34)
    expect(columns[0]).not.toContain('lease_owner')
    expect(columns[0]).not.toContain('lease_until')
    expect(columns[0]).not.toContain('message_seq')
  })
})
