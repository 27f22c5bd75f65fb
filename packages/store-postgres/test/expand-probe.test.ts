import { createOutbox } from '@hookbox/core'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_probe')
afterAll(() => t.drop())

describe('expansion look-up (Postgres)', () => {
  it('skips the look-up for unexpanded messages right after a full batch, and looks again after a short one', async () => {
    // Counts the unlocked batch read, which spares an empty pass (and a short batch) the transaction.
    let probes = 0
    const query = t.pool.query.bind(t.pool) as (...args: unknown[]) => unknown
    ;(t.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text
      if (/ORDER BY seq LIMIT \$1\)/.test(text) && !/FOR UPDATE/.test(text)) probes++
      return query(...args)
    }
    const outbox = createOutbox({ store: postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' }), dispatcher: { batchSize: 100 } })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'main' })
    await outbox.notifyMany(Array.from({ length: 150 }, (_, n) => ({ type: 'a.b', payload: { n } })))
    // A batch of 100 (looked up first), then the last 50 straight away: one look-up, not two.
    await outbox.drain()
    expect(probes).toBe(1)
    const { rows } = await t.pool.query(`SELECT count(*) FILTER (WHERE expanded) AS n FROM "${t.schema}".messages`)
    expect(Number(rows[0].n)).toBe(150)
    // The last batch was short: the next pass looks first, finds nothing and opens no transaction.
    await outbox.drain()
    expect(probes).toBe(2)
    await outbox.close()
  })
})
