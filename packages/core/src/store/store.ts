import type { CatalogStore } from './catalog-store.js'
import type { HousekeepingStore } from './housekeeping-store.js'
import type { QueueStore } from './queue-store.js'

export type * from './queue-store.js'
export type * from './catalog-store.js'
export type * from './housekeeping-store.js'
export type * from './planner.js'
export type { Migration } from './migration.js'
export type { KeyOwner, EnqueuePlan } from './idempotency.js'
export type { DeliveryRoute } from './new-delivery.js'
/**
 * Persistence behind an outbox, in three roles. Core holds no SQL: each store implements the
 * roles against its database and passes the public conformance suite
 * (`runStoreConformance` from `@hookbox/core/testing`).
 */
export interface Store {
  /** Short name for logs: `sqlite`, `postgres`, `mysql`. */
  readonly name: string
  readonly queue: QueueStore
  readonly catalog: CatalogStore
  readonly housekeeping: HousekeepingStore
  /** Releases what the store opened itself (not the caller's connection). */
  close(): Promise<void>
}
