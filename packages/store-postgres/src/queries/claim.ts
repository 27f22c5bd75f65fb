import type { Claim, ClaimOptions } from '@hookbox/core'
import { sql, type Kysely, type Selectable } from 'kysely'
import { toCollection, toDelivery, toEndpoint, toMessage } from '../rows.js'
import type { CollectionsTable, DeliveriesTable, EndpointsTable, MessagesTable } from '../schema.js'

type ClaimRow = Selectable<DeliveriesTable> & {
  message_row: Selectable<MessagesTable>
  collection_row: Selectable<CollectionsTable>
  endpoint_rows: Array<Selectable<EndpointsTable>>
}

/**
 * Leases due deliveries in ONE call of the `claim_deliveries` function (migration 4, whose plan
 * each connection keeps): picks them oldest due first with `FOR UPDATE SKIP LOCKED` (so
 * dispatchers never wait for each other), stamps owner, expiry and a fresh random fencing token,
 * and returns each with its message, collection and the targets that still exist. Every step
 * goes by primary key or partial index, so its cost follows the batch, not the table.
 *
 * Skipped: deliveries leased by someone else until later; `each` deliveries whose endpoint is
 * disabled or paused by its circuit breaker, or at its limit in this dispatcher
 * (`skipEndpoints`); deliveries of a collection that is disabled or no longer exists; and, for
 * an ordering key, any delivery behind a still-pending one with the same key, collection and
 * endpoint from an earlier message, or behind an earlier message with that key not yet expanded.
 */
export async function claimDeliveries(db: Kysely<any>, schema: string, o: ClaimOptions): Promise<Claim[]> {
  const { rows } = await sql<{ claim: ClaimRow }>`
    SELECT claim FROM ${sql.id(schema)}.claim_deliveries(${o.now}::bigint, ${o.limit}::integer, ${o.now + o.leaseMs}::bigint, ${o.owner}::text, ${o.skipEndpoints ?? []}::text[]) AS claim`.execute(
    db,
  )
  return rows.map(({ claim: r }) => ({
    delivery: toDelivery(r),
    message: toMessage(r.message_row),
    collection: toCollection(r.collection_row),
    endpoints: r.endpoint_rows.map(toEndpoint),
    leaseToken: r.lease_token!,
  }))
}
