import { endpoint, expectUpgradedStoreWorks, message, T0 } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { migrations, postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

/** Versions the package shipped before the claim order was shared with the other stores. */
const SHIPPED = 4

const t = testSchema('hb_upgrade')
afterAll(() => t.drop())

describe('postgres: upgrading a schema created by the shipped migrations', () => {
  it('keeps messages, deliveries and idempotency keys working after migrate()', async () => {
    const s = `"${t.schema}"`
    // The schema as version 0.1 left it, with rows written the way that version wrote them.
    await t.pool.query(
      `CREATE SCHEMA ${s}; CREATE TABLE ${s}.migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    for (const m of migrations.slice(0, SHIPPED)) {
      await t.pool.query(m.sql(s))
      await t.pool.query(`INSERT INTO ${s}.migrations (id, name) VALUES ($1, $2)`, [m.version, m.name])
    }
    const e = endpoint()
    const keyed = message({ idempotencyKey: 'order-7' })
    const old = message()
    await t.pool.query(
      `INSERT INTO ${s}.messages (id, type, payload, request_id, idempotency_key, created_at, expanded) VALUES ($1, 'entity.changed', '{}', $2, 'order-7', $3, false), ($4, 'entity.changed', '{}', $5, NULL, $3, true)`,
      [keyed.id, keyed.requestId, T0, old.id, old.requestId],
    )
    await t.pool.query(`INSERT INTO ${s}.idempotency_keys VALUES ('order-7', $1, $2, $3)`, [keyed.id, keyed.requestId, T0])
    await t.pool.query(
      `INSERT INTO ${s}.collections (name, policy, failure_mode, created_at, updated_at) VALUES ('events', '{"kind":"fixed","maxAttempts":3,"intervalMs":1000}', 'each', $1, $1)`,
      [T0],
    )
    await t.pool.query(
      `INSERT INTO ${s}.endpoints (id, collection, url, enabled, created_at, updated_at) VALUES ($1, 'events', $2, true, $3, $3)`,
      [e.id, e.url, T0],
    )
    const seq = (await t.pool.query(`SELECT seq FROM ${s}.messages WHERE id = $1`, [old.id])).rows[0].seq
    await t.pool.query(
      `INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets, state, window_start, next_attempt_at, created_at, updated_at)
       VALUES ('d-old', $1, $2, $3, 'events', 'each', $4, $5, 'pending', $6, $6, $6, $6)`,
      [old.id, seq, old.requestId, e.id, JSON.stringify([e.id]), T0],
    )

    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    const { rows } = await t.pool.query(`SELECT id FROM ${s}.migrations ORDER BY id`)
    expect(rows.map((r) => r.id)).toEqual(migrations.map((m) => m.version))

    await expectUpgradedStoreWorks(store, { keyed, pendingDeliveryId: 'd-old' })
    await store.close()
  })
})
