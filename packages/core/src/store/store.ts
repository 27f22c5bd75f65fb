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
  /**
   * Deliveries in flight a dispatcher on this store runs when `dispatcher.concurrency` is not
   * set (unset: the dispatcher's default, 32). A store whose claim and write-back are round
   * trips to a server, each a commit of a few ms, needs more attempts in flight to keep the
   * receiver busy while they run than an embedded one does.
   */
  readonly defaultConcurrency?: number
  /**
   * Write-backs a dispatcher on this store keeps in flight at once (unset: 1). With one, an
   * outcome that arrives while a write-back commits waits for that commit and then its own; a
   * server store with a pool can run the next batch beside it on another connection (the
   * batches hold disjoint deliveries).
   */
  readonly writeBacksInFlight?: number
  readonly queue: QueueStore
  readonly catalog: CatalogStore
  readonly housekeeping: HousekeepingStore
  /** Releases what the store opened itself (not the caller's connection). */
  close(): Promise<void>
}
