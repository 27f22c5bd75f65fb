import { expect } from 'vitest'
import { createPlanner, type MessageRecord, type Store } from '../index.js'
import { completion, message, T0 } from './fixtures.js'
import { claimConfigured } from './claim.js'

/** What an upgrade test wrote with the old schema, before calling {@link expectUpgradedStoreWorks}. */
export interface UpgradedRows {
  /** An unexpanded message holding idempotency key `order-7`, created at {@link T0}. */
  keyed: MessageRecord
  /** The id of a pending delivery due at {@link T0}, of an expanded message. */
  pendingDeliveryId: string
}

/**
 * Checks a store migrated over a database that older migrations created and filled: the old
 * key still answers for its message, the old pending delivery is claimed and written back, the
 * old unexpanded message expands and is claimed, every old row is the no-tenant platform's (its
 * endpoint gets the old messages, a tenant's same idempotency key is its own), and a second
 * `migrate()` finds nothing to do.
 */
export async function expectUpgradedStoreWorks(store: Store, rows: UpgradedRows): Promise<void> {
  const { keyed, pendingDeliveryId } = rows
  const [repeat] = await store.queue.enqueue({ messages: [message({ idempotencyKey: 'order-7' })], idempotencySince: T0 - 1 })
  expect(repeat).toEqual({ messageId: keyed.id, requestId: keyed.requestId, duplicate: true })
  const [old] = await claimConfigured(store, { now: T0, limit: 1, leaseMs: 30_000, owner: 'upgrade' })
  expect(old!.delivery.id).toBe(pendingDeliveryId)
  expect(await store.queue.complete({ completions: [completion(old!)] })).toEqual([pendingDeliveryId])
  expect((await store.queue.expand({ limit: 10, now: T0, planner: createPlanner() })).expanded).toBe(1)
  const [fresh] = await claimConfigured(store, { now: T0, limit: 10, leaseMs: 30_000, owner: 'upgrade' })
  expect(fresh!.message.id).toBe(keyed.id)
  expect([old!.delivery.tenant, fresh!.delivery.tenant, fresh!.message.tenant]).toEqual([null, null, null])
  expect(fresh!.endpoints.map((e) => e.tenant)).toEqual([null])
  expect(await store.catalog.listEndpoints({ tenant: 'acme' })).toEqual([])
  expect((await store.catalog.listEndpoints({ tenant: null })).map((e) => e.id)).toEqual(fresh!.delivery.targets)
  const [theirs] = await store.queue.enqueue({
    messages: [message({ tenant: 'acme', idempotencyKey: 'order-7' })],
    idempotencySince: T0 - 1,
  })
  expect(theirs!.duplicate).toBe(false)
  await store.housekeeping.migrate()
}
