import { tenantToColumn, type EndpointQuery, type EndpointRecord } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'
import { endpointFromRow, endpointToRow } from '../rows.js'

/** Stores a new endpoint. */
export async function insertEndpoint(x: MysqlExecutor, { endpoint }: { endpoint: EndpointRecord }): Promise<void> {
  await x.run(x.qb.insertInto('hookbox_endpoints').values(endpointToRow(endpoint)))
}

/** Replaces the endpoint with the same id; false when there is none (rows matched, mysql2's default `FOUND_ROWS`). */
export async function updateEndpoint(x: MysqlExecutor, { endpoint }: { endpoint: EndpointRecord }): Promise<boolean> {
  // The tenant is never rewritten: an endpoint stays its tenant's.
  const { id, created_at: _created, tenant: _tenant, ...changes } = endpointToRow(endpoint)
  return (await x.run(x.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', id))) > 0
}

/** One endpoint by id. */
export async function getEndpoint(x: MysqlExecutor, { id }: { id: string }): Promise<EndpointRecord | undefined> {
  const r = await x.one(x.qb.selectFrom('hookbox_endpoints').selectAll().where('id', '=', id))
  return r && endpointFromRow(r)
}

/** Endpoints matching the filter, by id. */
export async function listEndpoints(x: MysqlExecutor, query: EndpointQuery = {}): Promise<EndpointRecord[]> {
  let q = x.qb.selectFrom('hookbox_endpoints').selectAll().orderBy('id')
  if (query.tenant !== undefined) q = q.where('tenant', '=', tenantToColumn(query.tenant))
  if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
  if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled ? 1 : 0)
  return (await x.all(q)).map(endpointFromRow)
}

/** Deletes an endpoint; returns whether it existed. */
export async function deleteEndpoint(x: MysqlExecutor, { id }: { id: string }): Promise<boolean> {
  return (await x.run(x.qb.deleteFrom('hookbox_endpoints').where('id', '=', id))) > 0
}
