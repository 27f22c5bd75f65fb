import { tenantToColumn, type EndpointQuery, type EndpointRecord } from '@hookbox/core'
import { endpointFromRow, endpointToRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/** Stores a new endpoint. */
export function insertEndpoint(x: SyncExecutor, { endpoint }: { endpoint: EndpointRecord }): void {
  x.run(x.qb.insertInto('hookbox_endpoints').values(endpointToRow(endpoint)))
}

/** Replaces the endpoint with the same id; false when there is none. */
export function updateEndpoint(x: SyncExecutor, { endpoint }: { endpoint: EndpointRecord }): boolean {
  // The tenant is never rewritten: an endpoint stays its tenant's.
  const { id, created_at: _created, tenant: _tenant, ...changes } = endpointToRow(endpoint)
  return x.run(x.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', id)) > 0
}

/** One endpoint by id. */
export function getEndpoint(x: SyncExecutor, { id }: { id: string }): EndpointRecord | undefined {
  const r = x.one(x.qb.selectFrom('hookbox_endpoints').selectAll().where('id', '=', id))
  return r && endpointFromRow(r)
}

/** The tenant's endpoint with this name. */
export function getEndpointByName(x: SyncExecutor, { tenant, name }: { tenant: string | null; name: string }): EndpointRecord | undefined {
  const r = x.one(x.qb.selectFrom('hookbox_endpoints').selectAll().where('tenant', '=', tenantToColumn(tenant)).where('name', '=', name))
  return r && endpointFromRow(r)
}

/** Endpoints matching the filter, by id. */
export function listEndpoints(x: SyncExecutor, query: EndpointQuery = {}): EndpointRecord[] {
  let q = x.qb.selectFrom('hookbox_endpoints').selectAll().orderBy('id')
  if (query.tenant !== undefined) q = q.where('tenant', '=', tenantToColumn(query.tenant))
  if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
  if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled ? 1 : 0)
  return x.all(q).map(endpointFromRow)
}

/** Deletes an endpoint; returns whether it existed. */
export function deleteEndpoint(x: SyncExecutor, { id }: { id: string }): boolean {
  return x.run(x.qb.deleteFrom('hookbox_endpoints').where('id', '=', id)) > 0
}
