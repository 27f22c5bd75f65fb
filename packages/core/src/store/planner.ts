import type { Claim, ExpandRequest } from './queue-store.js'
import type { CollectionRecord, DeliveryRecord, EndpointRecord, MessageRecord } from './records.js'

/** A delivery row as the store must write it: the record, and its lease when the expansion leased it. */
export interface NewDelivery {
  delivery: DeliveryRecord
  lease: { owner: string; until: number; token: string } | null
}

/** The locked batch and the routing the store read in the same transaction, for {@link Planner.plan}. */
export interface PlanInput {
  messages: MessageRecord[]
  collections: CollectionRecord[]
  /** The enabled endpoints of the collections {@link Planner.reach} named, of the batch's tenants. */
  endpoints: EndpointRecord[]
  /** Those of the batch's tenants that are disabled: their deliveries are written, never leased. */
  disabledTenants: string[]
}

/** The routing part of a {@link PlanInput}: what {@link Planner.fromMemory} answers instead of the store's reads. */
export type RoutingInput = Omit<PlanInput, 'messages'>

/** Output of {@link Planner.plan}. */
export interface PlanResult {
  /** Every row to insert, complete. */
  deliveries: NewDelivery[]
  /** The leased ones, ready to send. */
  claims: Claim[]
}

/**
 * Core's routing, in the two steps every store's expansion calls. Both are synchronous and pure
 * (besides new ids and lease tokens).
 */
export interface Planner {
  /** Names of the collections whose enabled endpoints the store must load for these messages. */
  reach(messages: MessageRecord[], collections: CollectionRecord[]): string[]
  /**
   * The deliveries of the batch, created at `request.now`, and which of them are leased to
   * `request.lease` (none with an ordering key).
   */
  plan(request: Pick<ExpandRequest, 'now' | 'lease'>, input: PlanInput): PlanResult
  /**
   * Optional: the batch's routing from the configuration core holds in memory, when that is the
   * configuration of `version` (the store's config version, read in the batch's transaction);
   * undefined otherwise, and the store reads collections, endpoints and tenants as usual. A
   * store that has a config version calls it once per batch that found messages.
   */
  fromMemory?(messages: MessageRecord[], version: number): RoutingInput | undefined
  /**
   * Optional: every collection at config `version`, when the planner holds that version's
   * routing but {@link fromMemory} could not answer (the batch names tenants it has not met);
   * undefined otherwise. The store then reads only the endpoints and tenants: a spread batch
   * meets new tenants nearly every time, and the collections read was one more round trip.
   */
  collectionsAt?(version: number): CollectionRecord[] | undefined
}
