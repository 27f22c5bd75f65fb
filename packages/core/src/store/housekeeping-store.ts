import type { HostTransaction } from '../transaction/sql-executor.js'
import type { ResultRecord } from './records.js'

/** What {@link HousekeepingStore.purgeTenant} removed. */
export interface TenantPurgeCounts {
  endpoints: number
  messages: number
  deliveries: number
  attempts: number
  results: number
}

/** Arguments of {@link HousekeepingStore.purge}. */
export interface PurgeOptions {
  /** Final deliveries completed before this, and messages created before it, may go. */
  finishedBefore: number
  /** Results expired at this time go. */
  now: number
  /** Most rows of each kind per pass. */
  limit: number
  /** Messages with an idempotency key created at or after this are kept (the key must keep working). */
  keepIdempotencySince: number
}

/** How many rows a retention pass removed. */
export interface PurgeCounts {
  messages: number
  deliveries: number
  attempts: number
  results: number
}

/**
 * Counts an outbox's health is judged by, read by {@link HousekeepingStore.stats}. Cheap on
 * purpose: only pending rows, unexpanded messages, endpoints and the final states that need
 * attention (never `delivered`) are counted, through the partial indexes claims already use.
 */
export interface StoreStats {
  /** Pending deliveries, in flight or not. */
  pending: number
  /** Pending deliveries whose next attempt is at or before `now` (those in flight included). */
  due: number
  /** Pending deliveries leased by a dispatcher at `now`: attempts in flight. */
  inFlight: number
  /**
   * When the oldest unfinished work became owed (epoch ms): the creation time of the oldest
   * message not yet expanded, or the schedule start (expansion or last replay) of the oldest
   * pending delivery, whichever is earlier; null when nothing is pending.
   */
  oldestPendingCreatedAt: number | null
  /** Dead-lettered deliveries (still kept by retention). */
  dead: number
  /** Failed deliveries (still kept by retention). */
  failed: number
  /** Messages written by `notify` and not yet expanded into deliveries. */
  unexpandedMessages: number
  /** Enabled endpoints whose circuit breaker holds attempts back at `now`. */
  pausedEndpoints: number
  /** Disabled endpoints. */
  disabledEndpoints: number
  /**
   * Pending deliveries held back by a disabled target: an `each` delivery whose endpoint is
   * disabled, or any delivery of a disabled collection or of a disabled tenant. They wait for it
   * to be enabled, and end at their `deadline` at the latest.
   */
  waitingOnDisabled: number
}

/** Arguments of {@link HousekeepingStore.putResult}. */
export interface PutResultRequest {
  result: ResultRecord
  /** The host's transaction, as for `enqueue` (synchronous for a synchronous one). */
  transaction?: HostTransaction
}

/** Schema, retention, stats and the results cache. */
export interface HousekeepingStore {
  /**
   * Creates or upgrades the store's tables. Safe to call twice and from several processes. Any
   * other call before it throws `MigrationRequiredError`.
   */
  migrate(): Promise<void>
  /**
   * Removes up to `limit` final deliveries completed before `finishedBefore` (with all their
   * attempts), up to `limit` expanded messages with no delivery left created before it (but
   * not those whose idempotency key is still inside its window) with the keys they hold, and
   * up to `limit` results expired at `now`.
   */
  purge(options: PurgeOptions): Promise<PurgeCounts>
  /** Counts pending work, dead letters and endpoint health at `now`; see {@link StoreStats}. */
  stats(request: StatsRequest): Promise<StoreStats>
  /** Stores (or replaces) a result; synchronous through a synchronous transaction. */
  putResult(request: PutResultRequest): void | Promise<void>
  /** The result stored for exactly this tenant (null: none), unless it has expired at `now`. */
  getResult(request: { requestId: string; tenant: string | null; now: number }): Promise<ResultRecord | undefined>
  /**
   * In one transaction, removes every endpoint, message (with its idempotency keys), delivery,
   * attempt and result of `tenant`, and its state; nothing of any other tenant.
   */
  purgeTenant(request: { tenant: string }): Promise<TenantPurgeCounts>
}

/** Arguments of {@link HousekeepingStore.stats}. */
export interface StatsRequest {
  now: number
  /** Count only this tenant's rows (null: only those with no tenant); omitted: every tenant's. */
  tenant?: string | null
}
