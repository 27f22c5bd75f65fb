import type { CollectionRecord, EndpointRecord, TenantRecord } from './records.js'

/** Filter for {@link CatalogStore.listEndpoints}. */
export interface EndpointQuery {
  /** Only this tenant's endpoints (null: only those with no tenant); omitted: every tenant's. */
  tenant?: string | null
  collection?: string
  enabled?: boolean
}

/** What the circuit breaker records on an endpoint: only the fields given are written. */
export interface EndpointHealth {
  pausedUntil?: number | null
  failingSince?: number | null
  /** Disable the endpoint, with this reason. */
  disable?: string
  now: number
}

/** Arguments of {@link CatalogStore.setEndpointHealth}: the endpoint's id and its {@link EndpointHealth}. */
export interface EndpointHealthUpdate extends EndpointHealth {
  id: string
}

/** Configuration: collections and their endpoints, with the breaker's state on each endpoint. */
export interface CatalogStore {
  /** Inserts or replaces a collection (keeping its `createdAt`); returns it as stored. */
  upsertCollection(request: { collection: CollectionRecord }): Promise<CollectionRecord>
  getCollection(request: { name: string }): Promise<CollectionRecord | undefined>
  /** Every collection, by name. */
  listCollections(): Promise<CollectionRecord[]>
  /** Deletes a collection that has no endpoints; returns whether it did. */
  deleteCollection(request: { name: string }): Promise<boolean>

  insertEndpoint(request: { endpoint: EndpointRecord }): Promise<void>
  /** Replaces the stored endpoint with the same id; returns false when there is none. */
  updateEndpoint(request: { endpoint: EndpointRecord }): Promise<boolean>
  getEndpoint(request: { id: string }): Promise<EndpointRecord | undefined>
  /** The endpoint with this name among the tenant's (null: the platform's own). */
  getEndpointByName(request: { tenant: string | null; name: string }): Promise<EndpointRecord | undefined>
  /** Endpoints matching the filter, by id. */
  listEndpoints(query?: EndpointQuery): Promise<EndpointRecord[]>
  deleteEndpoint(request: { id: string }): Promise<boolean>
  /**
   * Writes the circuit breaker's view of an endpoint, and disables it when `disable` carries a
   * reason. Returns false when the endpoint no longer exists.
   */
  setEndpointHealth(update: EndpointHealthUpdate): Promise<boolean>

  /** Records a tenant, enabled, unless it is known already; returns it as stored. */
  ensureTenant(request: { tenant: string; now: number }): Promise<TenantRecord>
  /** Inserts or replaces a tenant's state (keeping its `createdAt`); returns it as stored. */
  upsertTenant(request: { tenant: TenantRecord }): Promise<TenantRecord>
  getTenant(request: { tenant: string }): Promise<TenantRecord | undefined>
  /** Every known tenant, by name. */
  listTenants(): Promise<TenantRecord[]>
  /**
   * Leases the half-open probe of a paused endpoint, for every dispatcher at once: when the
   * endpoint's pause is over (`pausedUntil` set and at or before `now`), moves it to `until` and
   * returns true; otherwise (not paused, still paused, or another dispatcher took the probe
   * first) changes nothing and returns false. One conditional write: of dispatchers asking
   * together, exactly one wins.
   */
  leaseProbe(request: ProbeLeaseRequest): Promise<boolean>

  /**
   * Optional: the configuration version, which every write to collections, endpoints or tenants
   * bumps (raw SQL writes too) and the breaker's health writes do not. A dispatcher keeps the
   * routing in memory while it stays the same.
   */
  configVersion?(): Promise<number>
}

/** Arguments of {@link CatalogStore.leaseProbe}. */
export interface ProbeLeaseRequest {
  /** The endpoint. */
  id: string
  now: number
  /** End of the probe's lease: the pause lasts until then for everyone else. */
  until: number
}
