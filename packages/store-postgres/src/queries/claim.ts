import type { Claim, ClaimRequest } from '@hookbox/core'
import { sql, type Selectable } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { collectionFromRow, deliveryFromRow, endpointFromRow, messageFromRow } from '../rows.js'
import type { CollectionsTable, DeliveriesTable, EndpointsTable, MessagesTable } from '../schema.js'

type ClaimRow = Selectable<DeliveriesTable> & {
  tenant_enabled: boolean
  message_row: Selectable<MessagesTable>
  collection_row: Selectable<CollectionsTable>
  endpoint_rows: Array<Selectable<EndpointsTable>>
}

/**
 * Leases due deliveries in ONE call of the `claim_deliveries` function (migration 6, whose plan
 * each connection keeps): picks them by next attempt, message sequence, then id with
 * `FOR UPDATE SKIP LOCKED` (dispatchers never wait for each other), stamps owner, expiry and a
 * fresh fencing token, and returns each with its message, collection and the targets that
 * still exist.
 *
 * Skipped (the same clauses in every store, each pinned by the conformance suite): deliveries
 * leased by someone else until later; deliveries of a collection that is disabled or gone;
 * `each` deliveries to an endpoint in `skipEndpoints`, disabled, or paused at `now`; and, for
 * an ordering key, any delivery behind a still-pending one with the same key, collection and
 * endpoint from an earlier message, or behind an earlier message with that key not yet expanded
 * (keys are the tenant's); deliveries of a disabled tenant.
 * One held back by its (disabled) collection or tenant or its (disabled, paused) endpoint is taken all the
 * same once its `deadline` has come, so the dispatcher can end it.
 */
export async function claimDeliveries(x: PostgresExecutor, o: ClaimRequest): Promise<Claim[]> {
  const rows = await x.rows<{ claim: ClaimRow }>(
    sql`SELECT claim FROM ${sql.id(x.schema)}.claim_deliveries(${o.now}::bigint, ${o.limit}::integer, ${o.now + o.leaseMs}::bigint, ${o.owner}::text, ${o.skipEndpoints ?? []}::text[]) AS claim`,
  )
  return rows.map(({ claim: r }) => ({
    delivery: deliveryFromRow(r),
    message: messageFromRow(r.message_row),
    collection: collectionFromRow(r.collection_row),
    endpoints: r.endpoint_rows.map(endpointFromRow),
    leaseToken: r.lease_token!,
    tenantEnabled: r.tenant_enabled,
  }))
}
