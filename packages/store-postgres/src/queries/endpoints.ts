import { tenantToColumn, type EndpointQuery, type EndpointRecord } from '@hookbox/core'
import type { PostgresExecutor } from '../postgres-executor.js'
import { endpointFromRow, endpointToRow } from '../rows.js'

/** Stores a new endpoint. */
export async function insertEndpoint(x: PostgresExecutor, { endpoint }: { endpoint: EndpointRecord }): Promise<void> {
  await x.run(x.tables.insertInto('endpoints').values(endpointToRow(endpoint)).compile())
}

/** Replaces the endpoint with the same id; false when there is none. */
export async function updateEndpoint(x: PostgresExecutor, { endpoint }: { endpoint: EndpointRecord }): Promise<boolean> {
  // The tenant is never rewritten: an endpoint stays its tenant's.
  const { id, created_at: _created, tenant: _tenant, ...changes } = endpointToRow(endpoint)
  return ((await x.run(x.tables.updateTable('endpoints').set(changes).where('id', '=', id).compile())).affectedRows ?? 0) > 0
}

/** One endpoint by id. */
export async function getEndpoint(x: PostgresExecutor, { id }: { id: string }): Promise<EndpointRecord | undefined> {
  const [r] = await x.rows(x.tables.selectFrom('endpoints').selectAll().where('id', '=', id))
  return r && endpointFromRow(r)
}

/** Endpoints matching the filter, by id. */
export async function listEndpoints(x: PostgresExecutor, query: EndpointQuery = {}): Promise<EndpointRecord[]> {
  let q = x.tables.selectFrom('endpoints').selectAll().orderBy('id')
  if (query.tenant !== undefined) q = q.where('tenant', '=', tenantToColumn(query.tenant))
  if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
  if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled)
  return (await x.rows(q)).map(endpointFromRow)
}

/** Deletes an endpoint; returns whether it existed. */
export async function deleteEndpoint(x: PostgresExecutor, { id }: { id: string }): Promise<boolean> {
  return ((await x.run(x.tables.deleteFrom('endpoints').where('id', '=', id).compile())).affectedRows ?? 0) > 0
}
