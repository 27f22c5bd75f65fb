import { matchesEvent } from '../event-filter.js'
import type { CatalogStore } from '../store/catalog-store.js'
import type { RoutingInput } from '../store/planner.js'
import type { CollectionRecord, EndpointRecord, MessageRecord } from '../store/records.js'

/**
 * Endpoints by tenant (null: the platform), then collection, each group sorted by id. Two
 * levels, not one `tenant + collection` key: a lookup hashes the message's tenant string once
 * (V8 keeps a string's hash) instead of building and hashing a new key per message.
 */
export type EndpointGroups = Map<string | null, Map<string, EndpointRecord[]>>

/** Groups endpoints by tenant and collection, each group sorted by id. */
export function groupEndpoints(endpoints: readonly EndpointRecord[]): EndpointGroups {
  const groups: EndpointGroups = new Map()
  for (const e of endpoints) {
    let byCollection = groups.get(e.tenant)
    if (!byCollection) groups.set(e.tenant, (byCollection = new Map()))
    const group = byCollection.get(e.collection)
    if (group) group.push(e)
    else byCollection.set(e.collection, [e])
  }
  for (const byCollection of groups.values())
    for (const group of byCollection.values()) group.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return groups
}

/**
 * The routing configuration at one config version, held by the dispatcher so expansion and
 * claims read no collections, endpoints or tenants while the version stays the same: a batch
 * costs the same whether the database holds one tenant or ten thousand.
 *
 * A complete snapshot (the constructor, {@link loadRoutingSnapshot}) holds every endpoint. The
 * dispatcher's own is partial ({@link RoutingSnapshot.partial}): it starts with the collections
 * and learns tenants as batches meet them, from the rows the store reads for them anyway. Loading
 * all 30,000 endpoints of 10,000 tenants up front took 0.3–0.5 s of a drain that then reached a
 * few tenants.
 */
export class RoutingSnapshot {
  readonly #collections: CollectionRecord[]
  readonly #byName: Map<string, CollectionRecord>
  /** Enabled endpoints only, by tenant and collection: expansion never routes to a disabled one. */
  readonly #endpoints: EndpointGroups = new Map()
  /** Every endpoint known, disabled ones too: a claim skips those with a reason. */
  readonly #byId = new Map<string, EndpointRecord>()
  readonly #disabledTenants = new Set<string>()
  /** Null when complete; else the tenants whose endpoints of every collection are known. */
  readonly #wholeTenants: Set<string | null> | null
  /** Partial only: the collections of each tenant whose enabled endpoints are known. */
  readonly #groups = new Map<string | null, Set<string>>()
  /** Partial only: tenants whose state (enabled or not) is known. */
  readonly #tenantStates = new Set<string>()

  /** A complete snapshot; `endpoints`: all of them, enabled or not. */
  constructor(
    readonly version: number,
    collections: CollectionRecord[],
    endpoints: EndpointRecord[],
    disabledTenants: string[],
    complete = true,
  ) {
    this.#collections = collections
    this.#byName = new Map(collections.map((c) => [c.name, c]))
    this.#wholeTenants = complete ? null : new Set()
    this.#add(endpoints)
    for (const t of disabledTenants) this.#disabledTenants.add(t)
  }

  /** A snapshot that knows the collections at `version` and no tenant yet. */
  static partial(version: number, collections: CollectionRecord[]): RoutingSnapshot {
    return new RoutingSnapshot(version, collections, [], [], false)
  }

  #add(endpoints: readonly EndpointRecord[]): void {
    for (const e of endpoints) this.#byId.set(e.id, e)
    for (const [tenant, groups] of groupEndpoints(endpoints.filter((e) => e.enabled))) {
      const known = this.#endpoints.get(tenant)
      if (!known) this.#endpoints.set(tenant, groups)
      else for (const [collection, group] of groups) known.set(collection, group)
    }
  }

  #knowsGroup(tenant: string | null, collection: string): boolean {
    return this.#wholeTenants === null || this.#wholeTenants.has(tenant) || this.#groups.get(tenant)?.has(collection) === true
  }

  #knowsState(tenant: string | null): boolean {
    return tenant === null || this.#wholeTenants === null || this.#tenantStates.has(tenant)
  }

  /**
   * Learns what the store read for a batch at this version (see {@link input}): the enabled
   * endpoints of the `reached` collections of the batch's tenants, and which are disabled.
   */
  learnBatch(messages: MessageRecord[], reached: string[], input: RoutingInput): void {
    if (this.#wholeTenants === null) return
    const tenants = new Set(messages.map((m) => m.tenant))
    // Groups replace what was known of them: a batch's read is the group's whole membership.
    for (const tenant of tenants) for (const c of reached) this.#endpoints.get(tenant)?.delete(c)
    this.#add(input.endpoints)
    for (const tenant of tenants) {
      let known = this.#groups.get(tenant)
      if (!known) this.#groups.set(tenant, (known = new Set()))
      for (const c of reached) known.add(c)
      if (tenant !== null) this.#tenantStates.add(tenant)
    }
    for (const t of input.disabledTenants) this.#disabledTenants.add(t)
  }

  /** Learns tenants read whole (every endpoint, enabled or not, of every collection) and their states. */
  learnTenants(tenants: Array<{ tenant: string | null; endpoints: EndpointRecord[]; enabled: boolean }>): void {
    if (this.#wholeTenants === null) return
    for (const { tenant, endpoints, enabled } of tenants) {
      this.#endpoints.delete(tenant)
      this.#add(endpoints)
      this.#wholeTenants.add(tenant)
      if (tenant === null) continue
      this.#tenantStates.add(tenant)
      if (enabled) this.#disabledTenants.delete(tenant)
      else this.#disabledTenants.add(tenant)
    }
  }

  /**
   * The enabled endpoints known, by tenant and collection, each group sorted by id: the groups
   * {@link input} answered from, for the planner to route from without regrouping them.
   */
  get groups(): EndpointGroups {
    return this.#endpoints
  }

  /** Every collection at this version. */
  get collections(): CollectionRecord[] {
    return this.#collections
  }

  /** The collection of this name, if it exists. */
  collection(name: string): CollectionRecord | undefined {
    return this.#byName.get(name)
  }

  /**
   * The endpoint with this id, enabled or not, if it exists (see {@link unknownTenants}). Its
   * breaker columns are as they were when read: a claim takes them from its own row instead.
   */
  endpoint(id: string): EndpointRecord | undefined {
    return this.#byId.get(id)
  }

  /** Whether the tenant (null: the platform) is enabled; one never seen is. */
  tenantEnabled(tenant: string | null): boolean {
    return tenant === null || !this.#disabledTenants.has(tenant)
  }

  /**
   * The tenants of these deliveries this snapshot cannot answer for: state unknown, or a target
   * that is not known and might exist (disabled, learned from no batch). Empty when complete.
   */
  unknownTenants(deliveries: ReadonlyArray<{ tenant: string | null; targets: readonly string[] }>): Array<string | null> {
    const unknown = new Set<string | null>()
    for (const d of deliveries) {
      if (unknown.has(d.tenant) || this.#wholeTenants === null || this.#wholeTenants.has(d.tenant)) continue
      if (!this.#knowsState(d.tenant) || d.targets.some((id) => !this.#byId.has(id))) unknown.add(d.tenant)
    }
    return [...unknown]
  }

  /**
   * What the store would have read for this batch: every collection, the enabled endpoints of
   * the reached ones of the batch's tenants; undefined when a partial snapshot has not learned
   * them all yet (the store then reads them, and the planner learns them).
   */
  input(messages: MessageRecord[]): RoutingInput | undefined {
    const reached = reachedBy(messages, this.#collections)
    // One pass, each tenant once: this runs for every batch (100 tenants when spread).
    const seen = new Set<string | null>()
    const endpoints: EndpointRecord[] = []
    const disabledTenants: string[] = []
    for (const { tenant } of messages) {
      if (seen.has(tenant)) continue
      seen.add(tenant)
      if (!this.#knowsState(tenant)) return undefined
      const groups = this.#endpoints.get(tenant)
      for (const c of reached) {
        if (!this.#knowsGroup(tenant, c.name)) return undefined
        const group = groups?.get(c.name)
        if (group) for (const e of group) endpoints.push(e)
      }
      if (tenant !== null && this.#disabledTenants.has(tenant)) disabledTenants.push(tenant)
    }
    return { collections: this.#collections, endpoints, disabledTenants }
  }
}

/** The enabled collections whose filter matches the type of at least one of the messages. */
export function reachedBy(messages: readonly MessageRecord[], collections: readonly CollectionRecord[]): CollectionRecord[] {
  const types = new Set<string>()
  for (const m of messages) types.add(m.type)
  const reached: CollectionRecord[] = []
  for (const c of collections) {
    if (!c.enabled) continue
    for (const type of types)
      if (matchesEvent(c.events, type)) {
        reached.push(c)
        break
      }
  }
  return reached
}

/**
 * Reads the whole routing configuration. The version is read first: should a write land in
 * between, the snapshot holds newer rows under an older version, which the next expansion finds
 * out of date and reads past, never the other way round. Undefined when the store has no version.
 */
export async function loadRoutingSnapshot(catalog: CatalogStore): Promise<RoutingSnapshot | undefined> {
  if (!catalog.configVersion) return undefined
  return readRoutingSnapshot(catalog, await catalog.configVersion())
}

/**
 * Reads collections, every endpoint and the tenants' states as they are now, under `version`
 * (which must have been read before, or be one no store returns, such as NaN).
 */
export async function readRoutingSnapshot(catalog: CatalogStore, version: number): Promise<RoutingSnapshot> {
  const [collections, endpoints, tenants] = await Promise.all([catalog.listCollections(), catalog.listEndpoints(), catalog.listTenants()])
  const disabled = tenants.filter((t) => !t.enabled).map((t) => t.tenant)
  return new RoutingSnapshot(version, collections, endpoints, disabled)
}
