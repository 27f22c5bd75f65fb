import { andThen, tenantToColumn, type EndpointQuery, type EndpointRecord } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { selectOne, selectRows, write, type MaybePromise } from '../plan.js'

/** Stores a new endpoint. */
export function insertEndpoint(d: KyselyDialect, { endpoint }: { endpoint: EndpointRecord }): MaybePromise<void> {
  return andThen(write(d.exec, d.qb.insertInto('hookbox_endpoints').values(d.rows.endpointToRow(endpoint))), () => undefined)
}

/** Replaces the endpoint with the same id; false when there is none (rows matched, on MySQL too: mysql2's `FOUND_ROWS`). */
export function updateEndpoint(d: KyselyDialect, { endpoint }: { endpoint: EndpointRecord }): MaybePromise<boolean> {
  // The tenant is never rewritten: an endpoint stays its tenant's.
  const { id, created_at: _created, tenant: _tenant, ...changes } = d.rows.endpointToRow(endpoint)
  return andThen(write(d.exec, d.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', id)), (n) => n > 0)
}

/** One endpoint by id. */
export function getEndpoint(d: KyselyDialect, { id }: { id: string }): MaybePromise<EndpointRecord | undefined> {
  return selectOne(d.exec, d.qb.selectFrom('hookbox_endpoints').selectAll().where('id', '=', id), d.rows.endpointFromRow)
}

/** The tenant's endpoint with this name. */
export function getEndpointByName(
  d: KyselyDialect,
  { tenant, name }: { tenant: string | null; name: string },
): MaybePromise<EndpointRecord | undefined> {
  const q = d.qb.selectFrom('hookbox_endpoints').selectAll().where('tenant', '=', tenantToColumn(tenant)).where('name', '=', name)
  return selectOne(d.exec, q, d.rows.endpointFromRow)
}

/** Endpoints matching the filter, by id. */
export function listEndpoints(d: KyselyDialect, query: EndpointQuery = {}): MaybePromise<EndpointRecord[]> {
  let q = d.qb.selectFrom('hookbox_endpoints').selectAll().orderBy('id')
  if (query.tenant !== undefined) q = q.where('tenant', '=', tenantToColumn(query.tenant))
  if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
  if (query.enabled !== undefined) q = q.where('enabled', '=', query.enabled ? 1 : 0)
  return selectRows(d.exec, q, d.rows.endpointFromRow)
}

/** Deletes an endpoint; returns whether it existed. */
export function deleteEndpoint(d: KyselyDialect, { id }: { id: string }): MaybePromise<boolean> {
  return andThen(write(d.exec, d.qb.deleteFrom('hookbox_endpoints').where('id', '=', id)), (n) => n > 0)
}
