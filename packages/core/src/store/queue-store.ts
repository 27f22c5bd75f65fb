import type { HostTransaction } from '../transaction/sql-executor.js'
import type { Planner } from './planner.js'
import type { AttemptRecord, CollectionRecord, DeliveryRecord, DeliveryState, EndpointRecord, MessageRecord } from './records.js'

/** Result of writing one message; `duplicate` when an idempotency key matched an earlier one. */
export interface EnqueueOutcome {
  messageId: string
  requestId: string
  duplicate: boolean
}

/** Arguments of {@link QueueStore.enqueue}. */
export interface EnqueueRequest {
  messages: MessageRecord[]
  /** Idempotency keys held by a message created before this (epoch ms) are taken over. */
  idempotencySince: number
  /** The host's transaction, classified by core; undefined: the store writes on its own. */
  transaction?: HostTransaction
}

/** Lease of a delivery written already claimed by the expansion. */
export interface ExpandLease {
  owner: string
  leaseMs: number
  /** Most new deliveries to lease in this pass. */
  limit: number
}

/** Arguments of {@link QueueStore.expand}. */
export interface ExpandRequest {
  /** Most messages to expand in this pass (oldest first). */
  limit: number
  now: number
  /** Core's routing rules; the store reads what `reach` asks for and writes what `plan` returns. */
  planner: Planner
  /** Lease some new deliveries to this dispatcher at once (a store that cannot just returns no claims). */
  lease?: ExpandLease
}

/** What {@link QueueStore.expand} did. */
export interface ExpandResult {
  expanded: number
  /** Deliveries written already leased (see {@link ExpandRequest.lease}). */
  claims: Claim[]
  /**
   * The messages this call expanded, when the planner may have planned others that another
   * dispatcher expanded first (the store then wrote nothing for those): core announces only
   * these as unrouted. Absent: every message planned was expanded by this call.
   */
  expandedIds?: ReadonlySet<string>
}

/**
 * The circuit breaker's columns of an endpoint as the claim read them. They change on every
 * outcome without bumping the config version, so they come with each claim, never from memory.
 */
export interface EndpointHealthColumns {
  id: string
  pausedUntil: number | null
  failingSince: number | null
  updatedAt: number
}

/**
 * A delivery as {@link QueueStore.claim} leases it: plain columns only. Core attaches the
 * collection, endpoints and tenant state from the configuration it holds at the claim's
 * config version (or reads them when it holds none), so a store never loads configuration here.
 */
export interface LeasedDelivery {
  delivery: DeliveryRecord
  message: MessageRecord
  /** Fencing token: the write-back only applies while it still matches. */
  leaseToken: string
  /** The breaker's columns of each of the delivery's targets that still exists, enabled or not (any order). */
  health: EndpointHealthColumns[]
}

/** What {@link QueueStore.claim} returns. */
export interface ClaimResult {
  leased: LeasedDelivery[]
  /**
   * The config version read in the claim's statement or transaction (or after it, never before);
   * undefined for a store without `catalog.configVersion`.
   */
  configVersion?: number
}

/**
 * A delivery leased to one dispatcher, with what it needs to send it: a {@link LeasedDelivery}
 * with its configuration attached by core (or built by core's planner during expansion).
 */
export interface Claim {
  delivery: DeliveryRecord
  message: MessageRecord
  collection: CollectionRecord
  /** The delivery's targets that still exist, enabled or not. */
  endpoints: EndpointRecord[]
  /** Fencing token: the write-back only applies while it still matches. */
  leaseToken: string
  /**
   * False when the delivery's tenant is disabled: it is then claimed only once its `deadline`
   * has come, to be ended (as for a disabled endpoint).
   */
  tenantEnabled: boolean
}

/** Arguments of {@link QueueStore.claim}. */
export interface ClaimRequest {
  limit: number
  now: number
  leaseMs: number
  owner: string
  /** Endpoints at their limit in this dispatcher: their `each` deliveries are not claimed. */
  skipEndpoints?: string[]
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

/** Arguments of {@link QueueStore.complete}. */
export interface CompleteRequest {
  completions: Completion[]
}

/** Arguments of {@link QueueStore.transition}. */
export interface TransitionRequest {
  ids: string[]
  /** Only deliveries in one of these states change. */
  from: DeliveryState[]
  now: number
  /** Core's rule: the next record of a matching delivery (see `store/transitions.ts`). */
  apply(delivery: DeliveryRecord): DeliveryRecord
}

/** Arguments of {@link QueueStore.deleteDeliveries}. */
export interface DeleteDeliveriesRequest {
  ids: string[]
  /** Only deliveries in one of these states are deleted. */
  states: DeliveryState[]
}

/** Filter for {@link QueueStore.listDeliveries}. */
export interface DeliveryQuery {
  /** Only this tenant's deliveries (null: only those with no tenant); omitted: every tenant's. */
  tenant?: string | null
  /** With `tenant` given, the request id is that tenant's (request ids are scoped per tenant). */
  requestId?: string
  messageId?: string
  state?: DeliveryState
  collection?: string
  endpointId?: string
  /** Return deliveries with an id greater than this (ULID cursor). */
  after?: string
  limit?: number
}

/**
 * The queue: messages in, deliveries leased, outcomes written back. Times are epoch ms from the
 * outbox clock, never the database's. The rules (routing, defaults, idempotency outcomes, replay)
 * are core's; a store persists and runs the concurrency-critical statements, and the
 * conformance suite pins what they must do.
 */
export interface QueueStore {
  /**
   * Writes messages, through `transaction` when given. With a synchronous transaction the store
   * writes before returning and returns a plain array; otherwise a promise. Idempotency: core's
   * `planEnqueue` drops repeats inside the batch and maps key owners to outcomes; the store
   * claims each key atomically, taking it over when its holder is older than `idempotencySince`.
   */
  enqueue(request: EnqueueRequest): EnqueueOutcome[] | Promise<EnqueueOutcome[]>

  /**
   * In ONE transaction: locks up to `limit` unexpanded messages (oldest first, skipping those
   * another expansion holds), reads the collections, asks `planner.reach` which collections'
   * enabled endpoints to load, reads those of the batch's tenants only (through an index on
   * collection and tenant) and the batch's disabled tenants, asks `planner.plan` for the rows, inserts them and
   * marks the messages expanded. A crash never half-expands a message; two dispatchers never
   * expand the same one.
   */
  expand(request: ExpandRequest): Promise<ExpandResult>

  /**
   * Leases up to `limit` pending deliveries due at `now`, ordered by next attempt, then message
   * sequence, then id. Skipped: deliveries leased by others until later; `each` deliveries
   * whose endpoint is disabled, paused at `now` or in `skipEndpoints`; deliveries of a disabled
   * (or deleted) collection; and deliveries with an ordering key behind a pending one with the
   * same key, collection and endpoint from an earlier message, or behind an earlier unexpanded
   * message with that key (ordering keys are scoped per tenant: the same key of two tenants never
   * holds one back behind the other). Deliveries of a disabled tenant are held back like those of
   * a disabled collection. Each claim carries a fresh fencing token. A delivery held back by its
   * collection, endpoint (disabled, paused) or tenant is taken all the same once its `deadline` has come
   * (`deadline <= now`; null: never), so the dispatcher can end it. Returns plain columns and
   * the config version (see {@link ClaimResult}); the configuration is core's to attach.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>

  /**
   * Applies a batch of outcomes and returns the ids it updated, in batch order. One whose lease
   * token no longer matches only logs its attempts: its state and `disableEndpoints` are ignored.
   */
  complete(request: CompleteRequest): Promise<string[]>

  /**
   * Locks the deliveries among `ids` in one of `from`, calls `apply` on each, writes the result
   * and clears the lease (a dispatcher still sending one is fenced off). Returns the ids changed.
   */
  transition(request: TransitionRequest): Promise<string[]>

  /** Deletes deliveries (and their attempts) among `ids` in one of `states`; returns how many. */
  deleteDeliveries(request: DeleteDeliveriesRequest): Promise<number>

  getDelivery(request: { id: string }): Promise<DeliveryRecord | undefined>
  /** Deliveries matching the filter, by id (default limit 100). */
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>
  /** The attempts of a delivery, oldest first. */
  listAttempts(request: { deliveryId: string }): Promise<AttemptRecord[]>
  getMessage(request: { id: string }): Promise<MessageRecord | undefined>

  /**
   * Optional: calls `onWake` when another process may have new work, and `onError` with each
   * failure of the connection that listens (the store reconnects by itself). Returns an
   * unsubscribe function.
   */
  subscribe?(onWake: () => void, onError?: (error: unknown) => void): Promise<() => Promise<void>>
  /** Optional: tells other processes there is new work, outside any transaction. */
  wake?(): Promise<void>
}
