import Database from 'better-sqlite3'
import { afterEach, beforeEach } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, ManualClock, policies, type Outbox, type OutboxOptions, type SecurityOptions } from '../../src/index.js'
import { TestReceiver } from '@hookbox/core/testing'

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

/** What {@link useOutboxes} gives a test file. */
export interface OutboxFixtures {
  /** This test's receiver. */
  readonly receiver: TestReceiver
  /** {@link secureOutbox}, closed after the test. */
  secure(security?: SecurityOptions, extra?: Partial<OutboxOptions>): ReturnType<typeof secureOutbox>
  /** An outbox on `database` (default: a fresh in-memory one) with the `events` collection, closed after the test. */
  plain(options?: Partial<OutboxOptions>, database?: Database.Database): Promise<Outbox>
}

/**
 * Fixtures of one test file: a real receiver on 127.0.0.1 for each test, and the outboxes a
 * test opens, closed after it.
 */
export function useOutboxes(): OutboxFixtures {
  let current: TestReceiver | undefined
  const open: Outbox[] = []
  beforeEach(async () => {
    current = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close()
    await current?.close()
  })
  return {
    get receiver(): TestReceiver {
      return current!
    },
    async secure(security = {}, extra = {}) {
      const made = await secureOutbox(security, extra)
      open.push(made.outbox)
      return made
    },
    async plain(options = {}, database = new Database(':memory:')) {
      const outbox = createOutbox({ store: sqliteStore({ database }), ...options })
      open.push(outbox)
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      return outbox
    },
  }
}
