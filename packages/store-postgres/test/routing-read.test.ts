import { collection, expandOnce, message, T0 } from '@hookbox/core/testing'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema, tuplesRead } from './helpers.js'

const t = testSchema('hb_routing_read', 2)

afterAll(() => t.drop())

/** The statements clients ran (text and values) while `recording`, to run one again in a transaction of the test's own. */
const ran: Array<{ text: string; values: unknown[] }> = []
let recording = false
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
const original = proto.query
proto.query = function (this: unknown, ...args: unknown[]) {
  const config = args[0] as { text?: string; values?: unknown[] } | string
  const text = typeof config === 'string' ? config : config?.text
  const values = typeof config === 'string' ? args[1] : config?.values
  if (recording && text) ran.push({ text, values: Array.isArray(values) ? values : [] })
  return original.apply(this, args)
}
afterAll(() => {
  proto.query = original
})

describe('postgres: expansion’s routing read', () => {
  it('reads the batch’s tenants’ endpoints, not every endpoint of the collection, on a table never analyzed', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    const s = `"${t.schema}"`
    await store.catalog.upsertCollection({ collection: collection() })
    // 1,000 tenants × 3 endpoints inserted at once: the statistics still say the table is empty.
    await t.pool
      .query(`INSERT INTO ${s}.endpoints (id, tenant, collection, url, enabled, headers, append_request_id, created_at, updated_at)
      SELECT lpad(g::text, 8, '0'), 't' || (g % 1000), 'events', 'https://example.com/' || g, true, '{}', false, 0, 0
      FROM generate_series(0, 2999) g`)
    // One message for each of 100 tenants spread over the range.
    await store.queue.enqueue({
      messages: Array.from({ length: 100 }, (_, i) => message({ tenant: `t${i * 7}`, createdAt: T0 })),
      idempotencySince: 0,
    })
    recording = true
    expect(await expandOnce(store, { limit: 100, now: T0 })).toBe(100)
    recording = false
    // Each message reached its own tenant's 3 endpoints and no other's.
    const { rows: counted } = await t.pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE e.tenant <> d.tenant)::int AS crossed
      FROM ${s}.deliveries d JOIN ${s}.endpoints e ON e.id = d.endpoint_id`)
    expect(counted[0]).toEqual({ n: 300, crossed: 0 })

    const read = ran.find((r) => /"endpoints"/.test(r.text))
    expect(read).toBeDefined()
    // 300 probing by tenant; 3,000 when `tenant = ANY(…)` made it scan the whole collection.
    expect(await tuplesRead(t, 'endpoints', read!.text, read!.values)).toBeLessThan(1500)
  })
})
