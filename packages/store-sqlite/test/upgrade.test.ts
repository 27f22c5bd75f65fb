import type { Store } from '@hookbox/core'
import { collection, endpoint, expectUpgradedStoreWorks, message, T0 } from '@hookbox/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { migrations, sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

/** Versions the package shipped before idempotency keys got their own table. */
const SHIPPED = 2

describe('sqlite: upgrading a database created by the shipped migrations', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  it('keeps messages, deliveries and idempotency keys working after migrate()', async () => {
    const t = tempDatabase()
    cleanups.push(t.cleanup)
    // The schema as version 0.1 left it, with rows written the way that version wrote them.
    t.db.exec('CREATE TABLE hookbox_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
    for (const m of migrations.slice(0, SHIPPED)) {
      t.db.exec(m.sql(''))
      t.db.prepare('INSERT INTO hookbox_migrations VALUES (?, ?)').run(m.version, T0)
    }
    const e = endpoint()
    const keyed = message({ idempotencyKey: 'order-7', createdAt: T0 })
    const pendingMessage = message({ createdAt: T0 })
    const insertMessage = t.db.prepare(
      'INSERT INTO hookbox_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, expanded) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?)',
    )
    insertMessage.run(keyed.id, keyed.type, keyed.payload, keyed.requestId, 'order-7', T0, 0)
    insertMessage.run(pendingMessage.id, pendingMessage.type, pendingMessage.payload, pendingMessage.requestId, null, T0, 1)
    t.db
      .prepare("INSERT INTO hookbox_collections VALUES ('events', NULL, ?, 'each', NULL, 1, ?, ?)")
      .run(JSON.stringify(collection().policy), T0, T0)
    t.db
      .prepare(
        "INSERT INTO hookbox_endpoints (id, collection, url, enabled, headers, append_request_id, created_at, updated_at) VALUES (?, 'events', ?, 1, '{}', 0, ?, ?)",
      )
      .run(e.id, e.url, T0, T0)
    t.db
      .prepare(
        "INSERT INTO hookbox_deliveries (id, message_id, message_seq, collection, failure_mode, endpoint_id, targets, progress, state, attempts, next_attempt_at, window_start, created_at, updated_at) VALUES ('d-old', ?, 2, 'events', 'each', ?, ?, '{}', 'pending', 0, ?, ?, ?, ?)",
      )
      .run(pendingMessage.id, e.id, JSON.stringify([e.id]), T0, T0, T0, T0)

    const store: Store = sqliteStore({ database: t.db })
    await store.housekeeping.migrate()
    expect(t.db.prepare('SELECT version FROM hookbox_migrations ORDER BY version').pluck().all()).toEqual(migrations.map((m) => m.version))
    // The old row is the platform's (no tenant), found through the rebuilt tenant index (migration 10).
    expect((await store.queue.listDeliveries({ tenant: null })).map((d) => d.id)).toEqual(['d-old'])
    expect((await store.queue.listDeliveries({ tenant: 'acme' })).map((d) => d.id)).toEqual([])

    await expectUpgradedStoreWorks(store, { keyed, pendingDeliveryId: 'd-old' })
    await store.close()
  })
})
