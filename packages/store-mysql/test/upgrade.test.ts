import { newId } from '@hookbox/core'
import { collection, endpoint, expectUpgradedStoreWorks, message, pagedDeliveryIds, T0 } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { migrations, mysqlStore, splitStatements, type Migration } from '../src/index.js'
import { testDatabases } from './support.js'

/** Versions the package shipped before tenants. */
const SHIPPED = 1

const databases = testDatabases('hb_upgrade')
afterAll(() => databases.end())

const q = (text: string, values: unknown[] = []) => databases.pool.promise().query(text, values)

/** A fresh database as `migrate()` left it after `applied` (the migrations table included); its quoted name. */
async function databaseAfter(applied: readonly Migration[]): Promise<{ database: string; d: string }> {
  const database = await databases.create()
  const d = `\`${database}\``
  await q(`CREATE TABLE ${d}.hookbox_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)`)
  for (const m of applied) {
    for (const statement of splitStatements(m.sql(d))) await q(statement)
    await q(`INSERT INTO ${d}.hookbox_migrations VALUES (?, ?, ?)`, [m.version, m.name, T0])
  }
  return { database, d }
}

describe('mysql: upgrading a database created by the shipped migrations', () => {
  it('keeps messages, deliveries and idempotency keys working after migrate(), as the no-tenant platform', async () => {
    // The schema as the first release left it, with rows written the way that release wrote them.
    const { database, d } = await databaseAfter(migrations.slice(0, SHIPPED))
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

describe('mysql: upgrading to the block-led deliveries tenant index (migration 10)', () => {
  it('still finds every delivery of a tenant made before it, in every block, for list, stats and purge', async () => {
    const { database, d } = await databaseAfter(migrations.filter((m) => m.version < 10))
    // Two tenants' messages in blocks 0, 1 and 9 of 256 sequence numbers (none between), one
    // pending delivery each, as expansion wrote them before migration 10.
    const seqs = [1, 3, 300, 302, 2400, 2402]
    const ids: Record<string, string[]> = { acme: [], other: [] }
    for (const seq of seqs)
      for (const [k, tenant] of ['acme', 'other'].entries()) {
        const messageId = newId(T0 + seq + k)
        const deliveryId = newId(T0 + seq + k)
        ids[tenant]!.push(deliveryId)
        await q(
          `INSERT INTO ${d}.hookbox_messages (seq, id, tenant, type, payload, request_id, created_at, expanded) VALUES (?, ?, ?, 'entity.changed', '{}', ?, ?, 1)`,
          [seq + k, messageId, tenant, messageId, T0],
        )
        await q(
          `INSERT INTO ${d}.hookbox_deliveries (id, message_id, message_seq, tenant, collection, failure_mode, endpoint_id, targets, progress, state, attempts, next_attempt_at, window_start, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'events', 'each', NULL, '[]', '{}', 'pending', 0, ?, ?, ?, ?)`,
          [deliveryId, messageId, seq + k, tenant, T0, T0, T0, T0],
        )
      }

    const store = mysqlStore({ pool: databases.pool, database })
    await store.housekeeping.migrate()
    const [blocks] = (await q(`SELECT DISTINCT message_block AS b FROM ${d}.hookbox_deliveries ORDER BY b`)) as unknown as [
      Array<{ b: number }>,
    ]
    expect(blocks.map((r) => Number(r.b))).toEqual([0, 1, 9])
    // Pages in id order across the blocks, as (tenant, id) gave them.
    expect(await pagedDeliveryIds(store, { tenant: 'acme' }, 4)).toEqual([...ids.acme!].sort())
    expect((await store.housekeeping.stats({ now: T0, tenant: 'acme' })).pending).toBe(6)
    expect(await store.housekeeping.purgeTenant({ tenant: 'acme' })).toMatchObject({ deliveries: 6, messages: 6 })
    const [left] = (await q(`SELECT tenant, count(*) AS n FROM ${d}.hookbox_deliveries GROUP BY tenant`)) as unknown as [
      Array<{ tenant: string; n: number }>,
    ]
    expect(left.map((r) => [r.tenant, Number(r.n)])).toEqual([['other', 6]])
    expect(await pagedDeliveryIds(store, { tenant: 'other' }, 4)).toEqual([...ids.other!].sort())
    await store.close()
  })
})
