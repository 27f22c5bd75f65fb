import { matchesEvent, type CollectionRecord, type EndpointRecord, type Planner } from '@hookbox/core'
import { sql, type Kysely, type Selectable } from 'kysely'
import { toCollection, toEndpoint, toMessage, toMs } from '../rows.js'
import type { CollectionsTable, EndpointsTable, MessagesTable } from '../schema.js'

/**
 * Expands up to `limit` messages in ONE transaction: locks the oldest unexpanded ones with
 * `FOR UPDATE SKIP LOCKED` (another dispatcher takes the next ones instead of waiting), reads
 * the routing in the same transaction, plans, then inserts every delivery and marks every
 * message expanded in one statement. A message that needs no delivery is marked all the same.
 */
export async function expandMessages(db: Kysely<any>, schema: string, options: { limit: number; now: number }, plan: Planner): Promise<number> {
  const t = (name: string) => sql.table(`${schema}.${name}`)
  const { now } = options
  // Most passes find nothing: one autocommit look-up instead of BEGIN, SELECT, COMMIT.
  const { rows: any } = await sql`SELECT 1 FROM ${t('messages')} WHERE NOT expanded LIMIT 1`.execute(db)
  if (any.length === 0) return 0
  return db.transaction().execute(async (trx) => {
    const { rows: messages } = await sql<Selectable<MessagesTable>>`
      SELECT * FROM ${t('messages')} WHERE NOT expanded ORDER BY seq LIMIT ${options.limit} FOR UPDATE SKIP LOCKED`.execute(trx)
    if (messages.length === 0) return 0
    const { rows: collectionRows } = await sql<Selectable<CollectionsTable>>`SELECT * FROM ${t('collections')} ORDER BY name`.execute(trx)
    const collections = collectionRows.map(toCollection)
    // Only the enabled endpoints of collections this batch can reach: tenants may have thousands.
    const types = [...new Set(messages.map((m) => m.type))]
    const wanted = collections.filter((c) => types.some((type) => matchesEvent(c.events, type))).map((c) => c.name)
    const { rows: endpointRows } = wanted.length
      ? await sql<Selectable<EndpointsTable>>`
          SELECT * FROM ${t('endpoints')} WHERE enabled AND collection = ANY(${wanted}::text[]) ORDER BY id`.execute(trx)
      : { rows: [] }
    const routing: { collections: CollectionRecord[]; endpoints: EndpointRecord[] } = { collections, endpoints: endpointRows.map(toEndpoint) }
    const deliveries = messages.flatMap((row) => {
      const message = toMessage(row)
      return plan(message, routing).map((d) => ({
        id: d.id,
        message_id: message.id,
        message_seq: toMs(row.seq),
        request_id: message.requestId,
        collection: d.collection,
        failure_mode: d.failureMode,
        endpoint_id: d.endpointId,
        targets: d.targets,
        ordering_key: message.orderingKey,
      }))
    })
    await sql`
      WITH inserted AS (
        INSERT INTO ${t('deliveries')} (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
          progress, state, attempts, next_attempt_at, window_start, ordering_key, created_at, updated_at)
        SELECT x.id, x.message_id, x.message_seq, x.request_id, x.collection, x.failure_mode, x.endpoint_id, x.targets,
          '{}'::jsonb, 'pending', 0, ${now}::bigint, ${now}::bigint, x.ordering_key, ${now}::bigint, ${now}::bigint
        FROM jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb) AS x(id text, message_id text, message_seq bigint, request_id text,
          collection text, failure_mode text, endpoint_id text, targets jsonb, ordering_key text)
        RETURNING 1
      )
      UPDATE ${t('messages')} SET expanded = true WHERE id = ANY(${messages.map((m) => m.id)}::text[])`.execute(trx)
    return messages.length
  })
}
