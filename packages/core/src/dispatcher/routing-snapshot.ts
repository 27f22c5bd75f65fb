import { matchesEvent } from '../event-filter.js'
import type { CatalogStore } from '../store/catalog-store.js'
import type { RoutingInput } from '../store/planner.js'
import type { CollectionRecord, EndpointRecord, MessageRecord } from '../store/records.js'

/** Key of a tenant's endpoints in one collection (`null`, no tenant, is not a tenant name). */
export function routeKey(tenant: string | null, collection: string): string {
  return `${tenant === null ? '\u0001' : tenant}\u0000${collection}`
}

/** Groups endpoints by tenant and collection, each group sorted by id. */
export function groupEndpoints(endpoints: readonly EndpointRecord[]): Map<string, EndpointRecord[]> {
  const groups = new Map<string, EndpointRecord[]>()
  for (const e of endpoints) {
    const key = routeKey(e.tenant, e.collection)
    const group = groups.get(key)
    if (group) group.push(e)
    else groups.set(key, [e])
  }
  for (const group of groups.values()) group.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return groups
}

/**
 * The routing configuration at one config version, held by the dispatcher so expansion reads
 * no collections, endpoints or tenants while the version stays the same: a batch costs the same
 * whether the database holds one tenant or ten thousand.
 */
export class RoutingSnapshot {
  readonly #collections: CollectionRecord[]
  readonly #byName: Map<string, CollectionRecord>
  /** Enabled endpoints only: expansion never routes to a disabled one. */
  readonly #endpoints: Map<string, EndpointRecord[]>
  /** Every endpoint, disabled ones too: a claim skips those with a reason. */
  readonly #byId: Map<string, EndpointRecord>
  readonly #disabledTenants: Set<string>

  /** `endpoints`: all of them, enabled or not. */
  constructor(
    readonly version: number,
    collections: CollectionRecord[],
    endpoints: EndpointRecord[],
    disabledTenants: string[],
  ) {
    this.#collections = collections
    this.#byName = new Map(collections.map((c) => [c.name, c]))
    this.#endpoints = groupEndpoints(endpoints.filter((e) => e.enabled))
    this.#byId = new Map(endpoints.map((e) => [e.id, e]))
    this.#disabledTenants = new Set(disabledTenants)
  }

  /** The collection of this name, if it exists. */
  collection(name: string): CollectionRecord | undefined {
    return this.#byName.get(name)
  }

  /**
   * The endpoint with this id, enabled or not, if it exists. Its breaker columns are as they were
   * at the snapshot: a claim takes them from its own row instead.
   */
  endpoint(id: string): EndpointRecord | undefined {
    return this.#byId.get(id)
  }

  /** Whether the tenant (null: the platform) is enabled; one never seen is. */
  tenantEnabled(tenant: string | null): boolean {
    return tenant === null || !this.#disabledTenants.has(tenant)
  }

  /** What the store would have read for this batch: every collection, the enabled endpoints of the reached ones of the batch's tenants. */
  input(messages: MessageRecord[]): RoutingInput {
    const types = [...new Set(messages.map((m) => m.type))]
    const reached = this.#collections.filter((c) => c.enabled && types.some((type) => matchesEvent(c.events, type)))
    const tenants = [...new Set(messages.map((m) => m.tenant))]
    const endpoints = tenants.flatMap((tenant) => reached.flatMap((c) => this.#endpoints.get(routeKey(tenant, c.name)) ?? []))
    const disabledTenants = tenants.filter((t): t is string => t !== null && this.#disabledTenants.has(t))
    return { collections: this.#collections, endpoints, disabledTenants }
  }
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
