import { collection, endpoint, expectUpgradedStoreWorks, message, T0 } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { migrations, mysqlStore } from '../src/index.js'
import { testDatabases } from './support.js'

/** Versions the package shipped before tenants. */
const SHIPPED = 1

const databases = testDatabases('hb_upgrade')
afterAll(() => databases.end())

describe('mysql: upgrading a database created by the shipped migrations', () => {
  it('keeps messages, deliveries and idempotency keys working after migrate(), as the no-tenant platform', async () => {
    const database = await databases.create()
    const q = (text: string, values: unknown[] = []) => databases.pool.promise().query(text, values)
    const d = `\`${database}\``
    // The schema as the first release left it, with rows written the way that release wrote them.
    await q(
      `CREATE TABLE ${d}.hookbox_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)`,
    )
    for (const m of migrations.slice(0, SHIPPED)) {
      for (const statement of m
        .sql(d)
        .split(/;\s*$/m)
        .map((s) => s.trim())
        .filter(Boolean))
        await q(statement)
      await q(`INSERT INTO ${d}.hookbox_migrations VALUES (?, ?, ?)`, [m.version, m.name, T0])
    }
    const e = endpoint()
    const keyed = message({ idempotencyKey: 'order-7' })
    const old = message()
    await q(
      `INSERT INTO ${d}.hookbox_messages (id, type, payload, request_id, idempotency_key, created_at, expanded) VALUES (?, 'entity.changed', '{}', ?, 'order-7', ?, 0), (?, 'entity.changed', '{}', ?, NULL, ?, 1)`,
      [keyed.id, keyed.requestId, T0, old.id, old.requestId, T0],
    )
    await q(`INSERT INTO ${d}.hookbox_idempotency_keys (\`key\`, message_id, request_id, created_at) VALUES ('order-7', ?, ?, ?)`, [
      keyed.id,
      keyed.requestId,
      T0,
    ])
    await q(
      `INSERT INTO ${d}.hookbox_collections (name, policy, failure_mode, enabled, created_at, updated_at) VALUES ('events', ?, 'each', 1, ?, ?)`,
      [JSON.stringify(collection().policy), T0, T0],
    )
    await q(
      `INSERT INTO ${d}.hookbox_endpoints (id, collection, url, enabled, headers, append_request_id, created_at, updated_at) VALUES (?, 'events', ?, 1, '{}', 0, ?, ?)`,
      [e.id, e.url, T0, T0],
    )
    const [[{ seq }]] = (await q(`SELECT seq FROM ${d}.hookbox_messages WHERE id = ?`, [old.id])) as unknown as [[{ seq: number }]]
    await q(
      `INSERT INTO ${d}.hookbox_deliveries (id, message_id, message_seq, collection, failure_mode, endpoint_id, targets, progress, state, attempts, next_attempt_at, window_start, created_at, updated_at)
       VALUES ('d-old', ?, ?, 'events', 'each', ?, ?, '{}', 'pending', 0, ?, ?, ?, ?)`,
      [old.id, seq, e.id, JSON.stringify([e.id]), T0, T0, T0, T0],
    )

    const store = mysqlStore({ pool: databases.pool, database })
    await store.housekeeping.migrate()
    const [versions] = (await q(`SELECT version FROM ${d}.hookbox_migrations ORDER BY version`)) as unknown as [Array<{ version: number }>]
    expect(versions.map((r) => r.version)).toEqual(migrations.map((m) => m.version))

    await expectUpgradedStoreWorks(store, { keyed, pendingDeliveryId: 'd-old' })
    await store.close()
  })
})
