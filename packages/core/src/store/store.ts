import type {
  AttemptRecord,
  CollectionRecord,
  DeliveryRecord,
  DeliveryState,
  EndpointRecord,
  MessageRecord,
  ResultRecord,
} from './records.js'

/** Result of writing one message; `duplicate` when an idempotency key matched an earlier one. */
export interface EnqueueOutcome {
  messageId: string
  requestId: string
  duplicate: boolean
}

/** Arguments of {@link Store.enqueue}. */
export interface EnqueueRequest {
  messages: MessageRecord[]
  /** Idempotency keys older than this (epoch ms) no longer match. */
  idempotencySince: number
}

/** A delivery to create when a message is expanded. */
export type DeliveryDraft = Pick<DeliveryRecord, 'id' | 'collection' | 'failureMode' | 'endpointId' | 'targets'>

/** Routing data read in the same transaction that claims messages to expand. */
export interface RoutingSnapshot {
  collections: CollectionRecord[]
  endpoints: EndpointRecord[]
}

/** Decides which deliveries a message needs. Must be synchronous and pure. */
export type Planner = (message: MessageRecord, routing: RoutingSnapshot) => DeliveryDraft[]

/** A delivery leased to one dispatcher, with what it needs to send it. */
export interface Claim {
  delivery: DeliveryRecord
  message: MessageRecord
  collection: CollectionRecord
  /** The delivery's targets that still exist, enabled or not. */
  endpoints: EndpointRecord[]
  /** Fencing token: the write-back only applies while it still matches. */
  leaseToken: string
}

/** The outcome of one claimed delivery, written back in a batch. */
export interface Completion {
  deliveryId: string
  leaseToken: string
  state: DeliveryState
  attempts: number
  nextAttemptAt: number | null
  progress: DeliveryRecord['progress']
  lastError: string | null
  completedAt: number | null
  /** When the round was settled (outbox clock). */
  updatedAt: number
  attemptLog: AttemptRecord[]
  /** Endpoints to disable (e.g. after 410 Gone), with the reason. */
  disableEndpoints: Array<{ id: string; reason: string }>
}

/** Filter for {@link Store.listDeliveries}. */
export interface DeliveryQuery {
  requestId?: string
  messageId?: string
  state?: DeliveryState
  collection?: string
  endpointId?: string
  /** Return deliveries with an id greater than this (ULID cursor). */
  after?: string
  limit?: number
}

/** Options of {@link Store.claim}. */
export interface ClaimOptions {
  limit: number
  now: number
  leaseMs: number
  owner: string
  /** Endpoints at their limit in this dispatcher: their `each` deliveries are not claimed. */
  skipEndpoints?: string[]
}

/** What the dispatcher's circuit breaker records on an endpoint. */
export interface EndpointHealth {
  pausedUntil?: number | null
  failingSince?: number | null
  /** Disable the endpoint, with this reason. */
  disable?: string
  now: number
}

/** Filter for {@link Store.listEndpoints}. */
export interface EndpointQuery {
  collection?: string
  enabled?: boolean
}

/** How many rows a retention pass removed. */
export interface PurgeCounts {
  messages: number
  deliveries: number
  attempts: number
  results: number
}

/**
 * Counts an outbox's health is judged by, read by {@link Store.stats}. Cheap on purpose: only
 * pending rows, unexpanded messages, endpoints and the final states that need attention (never
 * `delivered`) are counted, through the partial indexes claims already use.
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
}

/**
 * Persistence behind an outbox. Core holds no SQL: each store implements this against its
 * database and passes the shared conformance suite. Times are epoch milliseconds from the
 * outbox's clock, never the database's, so a fake clock governs everything.
 */
export interface Store {
  /** Short name for logs: `sqlite`, `postgres`. */
  readonly name: string

  /** Creates or upgrades the store's tables. Safe to call twice and from several processes. */
  migrate(): Promise<void>

  /**
   * Writes messages through the caller's transaction handle, or the store's own connection
   * when `transaction` is undefined. A store whose handle is synchronous (better-sqlite3) must
   * write before returning and return a plain array; otherwise it returns a promise.
   * Throws {@link InvalidTransactionError} for a handle it does not understand.
   */
  enqueue(request: EnqueueRequest, transaction?: unknown): EnqueueOutcome[] | Promise<EnqueueOutcome[]>

  /** True when `transaction` is a synchronous handle that {@link enqueue} writes through at once. */
  isSyncTransaction(transaction: unknown): boolean

  upsertCollection(collection: CollectionRecord): Promise<CollectionRecord>
  getCollection(name: string): Promise<CollectionRecord | undefined>
  listCollections(): Promise<CollectionRecord[]>
  /** Deletes a collection that has no endpoints; returns whether it existed. */
  deleteCollection(name: string): Promise<boolean>

  insertEndpoint(endpoint: EndpointRecord): Promise<void>
  /** Replaces the stored endpoint with the same id; returns false when there is none. */
  updateEndpoint(endpoint: EndpointRecord): Promise<boolean>
  getEndpoint(id: string): Promise<EndpointRecord | undefined>
  listEndpoints(query?: EndpointQuery): Promise<EndpointRecord[]>
  deleteEndpoint(id: string): Promise<boolean>
  /**
   * Writes the circuit breaker's view of an endpoint (only the fields given), and disables it
   * when `disable` carries a reason. Returns false when the endpoint no longer exists.
   */
  setEndpointHealth(id: string, health: EndpointHealth): Promise<boolean>

  /**
   * Takes up to `limit` messages not yet expanded (oldest first), asks `plan` for their
   * deliveries and writes them, all in one transaction, so a crash never half-expands a
   * message and two dispatchers never expand the same one. Returns how many were expanded.
   */
  expand(options: { limit: number; now: number }, plan: Planner): Promise<number>

  /**
   * Optional: {@link expand}, and in the same transaction leases up to `lease.limit` of the new
   * deliveries (none with an ordering key) to `lease.owner`, returning them as claims. Saves the
   * claim round trip between a commit and its first attempt.
   */
  expandAndClaim?(
    options: { limit: number; now: number; lease: { owner: string; leaseMs: number; limit: number } },
    plan: Planner,
  ): Promise<{ expanded: number; claims: Claim[] }>

  /**
   * Leases up to `limit` pending deliveries due at `now` (oldest due first), skipping those
   * leased by others until `leaseUntil`, those whose only endpoint is disabled, and those held
   * back by an earlier message with the same ordering key to the same target. `each`
   * deliveries to `skipEndpoints` (endpoints this dispatcher cannot send to now) are left alone.
   */
  claim(options: ClaimOptions): Promise<Claim[]>

  /**
   * Applies a batch of outcomes and returns the ids of the deliveries it updated. One whose
   * lease token no longer matches (another dispatcher took it over) only logs its attempts:
   * its state and its `disableEndpoints` are ignored.
   */
  complete(completions: Completion[]): Promise<string[]>

  getDelivery(id: string): Promise<DeliveryRecord | undefined>
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>
  getMessage(id: string): Promise<MessageRecord | undefined>

  /**
   * Puts final deliveries (dead or failed) back to pending, due at `now`, with a fresh schedule.
   * `acked` progress entries are kept (a replay never resends to an endpoint that acknowledged);
   * the others are cleared. Returns the ids that were requeued.
   */
  requeue(ids: string[], now: number, fromStates: DeliveryState[]): Promise<string[]>

  /**
   * Ends pending deliveries as `failed` with `reason`, completed at `now`, and clears their
   * lease (a dispatcher still sending one is fenced off). Returns the ids that were cancelled.
   */
  cancel(ids: string[], now: number, reason: string): Promise<string[]>

  /** Deletes deliveries (and their attempts) by id when in one of `states`. */
  deleteDeliveries(ids: string[], states: DeliveryState[]): Promise<number>

  /**
   * Stores (or replaces) a result, through the caller's transaction handle when given (the same
   * handles as {@link enqueue}, and synchronous for a synchronous one).
   */
  putResult(result: ResultRecord, transaction?: unknown): void | Promise<void>
  getResult(requestId: string, now: number): Promise<ResultRecord | undefined>

  /**
   * Removes up to `limit` final deliveries completed before `finishedBefore` (with all their
   * attempts), up to `limit` messages with no delivery left created before it (but not those
   * whose idempotency key is still inside its window: created at or after
   * `keepIdempotencySince`), and up to `limit` results expired at `now`.
   */
  purge(options: { finishedBefore: number; now: number; limit: number; keepIdempotencySince: number }): Promise<PurgeCounts>

  /** Counts pending work, dead letters and endpoint health at `now`; see {@link StoreStats}. */
  stats(now: number): Promise<StoreStats>

  /**
   * Optional: calls `onWake` when another process may have new work (Postgres LISTEN).
   * Returns an unsubscribe function.
   */
  subscribe?(onWake: () => void): Promise<() => Promise<void>>

  /** Optional: tells other processes there is new work, outside any transaction. */
  wake?(): Promise<void>

  /** Releases what the store opened itself (not the caller's connection). */
  close(): Promise<void>
}
