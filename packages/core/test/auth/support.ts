import Database from 'better-sqlite3'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, ManualClock, policies, type Outbox, type OutboxOptions, type SecurityOptions } from '../../src/index.js'

/** Loopback receivers allowed through the SSRF guard. */
export const LOCAL = ['127.0.0.1', '::1', 'localhost']

/**
 * An outbox on an in-memory SQLite store, a manual clock set to the real time (so receivers
 * checking timestamps against `Date.now()` agree), http allowed and loopback allow-listed.
 */
export async function secureOutbox(
  security: SecurityOptions = {},
  extra: Partial<OutboxOptions> = {},
): Promise<{ outbox: Outbox; clock: ManualClock; db: Database.Database }> {
  const db = new Database(':memory:')
  const clock = new ManualClock(Date.now())
  const outbox = createOutbox({
    store: sqliteStore({ database: db }),
    clock,
    http: { allowHttp: true },
    security: { ...security, ssrf: { allow: LOCAL, ...security.ssrf } },
    ...extra,
  })
  await outbox.migrate()
  await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
  return { outbox, clock, db }
}

/** Sends one event and runs one dispatch pass; returns the delivery with its attempt log. */
export async function deliverOne(outbox: Outbox, payload: unknown = { hello: 'world' }) {
  const { messageId } = await outbox.notify({ type: 'entity.changed', payload })
  await outbox.drain()
  const [delivery] = await outbox.deliveries.list({ messageId })
  return outbox.deliveries.get(delivery!.id)
}
