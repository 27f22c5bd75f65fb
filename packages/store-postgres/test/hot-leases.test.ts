import { createOutbox, createPlanner, newId } from '@hookbox/core'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_hot_leases')
afterAll(() => t.drop())

describe('less index work per delivery (migration 19)', () => {
  it('a full claim of freshly expanded deliveries updates every row in place, writing no index entry', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    const outbox = createOutbox({ store })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'main', events: ['a.*'] })
    await outbox.endpoints.create({ collection: 'main', url: 'https://example.com/hook' })
    await outbox.notifyMany(Array.from({ length: 300 }, (_, i) => ({ type: 'a.b', payload: { i } })))
    const planner = createPlanner()
    const now = Date.now()
    // Expanded without leases, as a backlog is: the claim then leases each row.
    for (let expanded = 0; expanded < 300;) expanded += (await store.queue.expand({ limit: 100, now, planner })).expanded
    const c = await t.pool.connect()
    try {
      await c.query('BEGIN')
      // The claim's own statement, with an owner as the dispatcher names itself (an id).
      const claimed = await c.query(`SELECT id FROM "${t.schema}".claim_plain($1, 300, $2, $3, '{}')`, [now, now + 30_000, newId()])
      const { rows } = await c.query<{ upd: string; hot: string }>(
        `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables WHERE relid = $1::regclass`,
        [`"${t.schema}".deliveries`],
      )
      await c.query('ROLLBACK')
      expect(claimed.rowCount).toBe(300)
      // On main (fillfactor 50) a page's later rows found no room for their leased version:
      // each such lease wrote an entry in every index of the table.
      expect(rows[0]).toEqual({ upd: '300', hot: '300' })
    } finally {
      c.release()
    }
  })

  it("logs the default tenant's attempts in no tenant index, and a named tenant's purge still finds its own through it", async () => {
    const s = `"${t.schema}"`
    const { rows } = await t.pool.query<{ def: string }>(`SELECT pg_get_indexdef($1::regclass) AS def`, [`${s}.attempts_tenant`])
    expect(rows[0]!.def).toContain(`WHERE (tenant <> ''::text)`)
    const plan = await t.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN DELETE FROM ${s}.attempts WHERE tenant = $1`, ['acme'])
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('attempts_tenant')
  })
})
