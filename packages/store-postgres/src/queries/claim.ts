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
 * Leases due deliveries in ONE statement (every step by primary key or partial index, so its
 * cost follows the batch, not the table): picks them oldest due first with
 * `FOR UPDATE SKIP LOCKED` (so dispatchers never wait for each other), stamps owner, expiry
 * and a fresh random fencing token, and returns each with its message, collection and the
 * targets that still exist (as jsonb, one round trip for the whole batch).
 *
 * Skipped: deliveries leased by someone else until later; `each` deliveries whose endpoint is
 * disabled or paused by its circuit breaker, or at its limit in this dispatcher (`skipEndpoints`); deliveries of a collection that is disabled or no longer exists; and, for an ordering key, any
 * delivery behind a still-pending one with the same key, collection and endpoint from an
 * earlier message, or behind an earlier message with that key not yet expanded.
 */
export async function claimDeliveries(db: Kysely<any>, schema: string, o: ClaimOptions): Promise<Claim[]> {
  const t = (name: string) => sql.table(`${schema}.${name}`)
  const { rows } = await sql<ClaimRow>`
    WITH due AS (
      SELECT d.id FROM ${t('deliveries')} d
      WHERE d.state = 'pending' AND d.next_attempt_at <= ${o.now}
        AND (d.lease_until IS NULL OR d.lease_until <= ${o.now})
        AND EXISTS (SELECT 1 FROM ${t('collections')} c WHERE c.name = d.collection AND c.enabled)
        ${o.skipEndpoints?.length ? sql`AND (d.endpoint_id IS NULL OR NOT (d.endpoint_id = ANY(${o.skipEndpoints}::text[])))` : sql``}
        AND NOT (d.failure_mode = 'each' AND EXISTS (
          SELECT 1 FROM ${t('endpoints')} e WHERE e.id = d.endpoint_id AND (NOT e.enabled OR e.paused_until > ${o.now})))
        AND (d.ordering_key IS NULL OR (
          NOT EXISTS (
            SELECT 1 FROM ${t('deliveries')} p
            WHERE p.state = 'pending' AND p.ordering_key = d.ordering_key AND p.collection = d.collection
              AND p.endpoint_id IS NOT DISTINCT FROM d.endpoint_id AND p.message_seq < d.message_seq)
          AND NOT EXISTS (
            SELECT 1 FROM ${t('messages')} m
            WHERE NOT m.expanded AND m.ordering_key = d.ordering_key AND m.seq < d.message_seq)))
      ORDER BY d.next_attempt_at, d.id
      LIMIT ${o.limit}
      FOR UPDATE OF d SKIP LOCKED
    ),
    claimed AS (
      UPDATE ${t('deliveries')} d
      SET lease_owner = ${o.owner}, lease_until = ${o.now + o.leaseMs}, lease_token = gen_random_uuid()::text
      WHERE d.id = ANY (ARRAY(SELECT id FROM due))
      RETURNING d.*
    )
    SELECT c.*,
      (SELECT to_jsonb(m) FROM ${t('messages')} m WHERE m.id = c.message_id) AS message_row,
      (SELECT to_jsonb(col) FROM ${t('collections')} col WHERE col.name = c.collection) AS collection_row,
      (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb) FROM ${t('endpoints')} e
        WHERE e.id = ANY (ARRAY(SELECT jsonb_array_elements_text(c.targets)))) AS endpoint_rows
    FROM claimed c
    ORDER BY c.next_attempt_at, c.id`.execute(db)
  return rows.map((r) => ({
    delivery: toDelivery(r),
    message: toMessage(r.message_row),
    collection: toCollection(r.collection_row),
    endpoints: r.endpoint_rows.map(toEndpoint),
    leaseToken: r.lease_token!,
  }))
}
