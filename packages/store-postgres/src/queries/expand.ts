import { matchesEvent, type Claim, type CollectionRecord, type EndpointRecord, type Planner } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import { toCollection, toEndpoint, toMessage, toMs } from '../rows.js'
import type { CollectionsTable, EndpointsTable, MessagesTable } from '../schema.js'

/**
 * Expands up to `limit` messages in ONE transaction: locks the oldest unexpanded ones with
 * `FOR UPDATE SKIP LOCKED` (another dispatcher takes the next ones instead of waiting), reads
 * the routing in the same transaction, plans, then inserts every delivery and marks every
 * message expanded in one statement. A message that needs no delivery is marked all the same.
 *
 * With `lease`, up to `lease.limit` new deliveries without an ordering key are written already
 * leased to `lease.owner` and returned as claims (ordered ones wait for the claim's checks).
 */
export async function expandMessages(
  db: Kysely<any>,
  schema: string,
  options: { limit: number; now: number },
  plan: Planner,
  lease: { owner: string; leaseMs: number; limit: number } | null,
): Promise<{ expanded: number; claims: Claim[] }> {
  const t = (name: string) => sql.table(`${schema}.${name}`)
  const { now } = options
  // Most passes find nothing: one autocommit look-up instead of BEGIN, SELECT, COMMIT.
  const { rows: any } = await sql`SELECT 1 FROM ${t('messages')} WHERE NOT expanded LIMIT 1`.execute(db)
  if (any.length === 0) return { expanded: 0, claims: [] }
  return db.transaction().execute(async (trx) => {
    // The batch and every collection in one round trip: this sits on the commit → send path.
    const {
      rows: [batch],
    } = await sql<{ messages: Array<Selectable<MessagesTable>> | null; collections: Array<Selectable<CollectionsTable>> | null }>`
      WITH m AS (SELECT * FROM ${t('messages')} WHERE NOT expanded ORDER BY seq LIMIT ${options.limit} FOR UPDATE SKIP LOCKED)
      SELECT (SELECT jsonb_agg(to_jsonb(m) ORDER BY m.seq) FROM m) AS messages,
        (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.name) FROM ${t('collections')} c WHERE EXISTS (SELECT 1 FROM m)) AS collections`.execute(
      trx,
    )
    const messages = batch?.messages ?? []
    if (messages.length === 0) return { expanded: 0, claims: [] }
    const collections = (batch?.collections ?? []).map(toCollection)
    // Only the enabled endpoints of collections this batch can reach: tenants may have thousands.
    const types = [...new Set(messages.map((m) => m.type))]
    const wanted = collections.filter((c) => types.some((type) => matchesEvent(c.events, type))).map((c) => c.name)
    const { rows: endpointRows } = wanted.length
      ? await sql<Selectable<EndpointsTable>>`
          SELECT * FROM ${t('endpoints')} WHERE enabled AND collection = ANY(${wanted}::text[]) ORDER BY id`.execute(trx)
      : { rows: [] }
    const routing: { collections: CollectionRecord[]; endpoints: EndpointRecord[] } = {
      collections,
      endpoints: endpointRows.map(toEndpoint),
    }
    const token = randomUUID()
    const claims: Claim[] = []
    const byName = new Map(collections.map((c) => [c.name, c]))
    const byId = new Map(routing.endpoints.map((e) => [e.id, e]))
    const deliveries = messages.flatMap((row) => {
      const message = toMessage(row)
      return plan(message, routing).map((d) => {
        const leased = lease !== null && claims.length < lease.limit && message.orderingKey === null
        if (leased)
          claims.push({
            delivery: {
              id: d.id,
              messageId: message.id,
              collection: d.collection,
              failureMode: d.failureMode,
              endpointId: d.endpointId,
              targets: d.targets,
              progress: {},
              state: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              windowStart: now,
              lastError: null,
              orderingKey: null,
              createdAt: now,
              updatedAt: now,
              completedAt: null,
            },
            message,
            collection: byName.get(d.collection)!,
            endpoints: d.targets.flatMap((id) => byId.get(id) ?? []),
            leaseToken: token,
          })
        return {
          id: d.id,
          message_id: message.id,
          message_seq: toMs(row.seq),
          request_id: message.requestId,
          collection: d.collection,
          failure_mode: d.failureMode,
          endpoint_id: d.endpointId,
          targets: d.targets,
          ordering_key: message.orderingKey,
          lease_owner: leased ? lease.owner : null,
          lease_until: leased ? now + lease.leaseMs : null,
          lease_token: leased ? token : null,
        }
      })
    })
    await sql`
      WITH inserted AS (
        INSERT INTO ${t('deliveries')} (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
          progress, state, attempts, next_attempt_at, window_start, ordering_key, created_at, updated_at, lease_owner, lease_until, lease_token)
        SELECT x.id, x.message_id, x.message_seq, x.request_id, x.collection, x.failure_mode, x.endpoint_id, x.targets,
          '{}'::jsonb, 'pending', 0, ${now}::bigint, ${now}::bigint, x.ordering_key, ${now}::bigint, ${now}::bigint,
          x.lease_owner, x.lease_until, x.lease_token
        FROM jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb) AS x(id text, message_id text, message_seq bigint, request_id text,
          collection text, failure_mode text, endpoint_id text, targets jsonb, ordering_key text, lease_owner text, lease_until bigint, lease_token text)
        RETURNING 1
      )
      UPDATE ${t('messages')} SET expanded = true WHERE id = ANY(${messages.map((m) => m.id)}::text[])`.execute(trx)
    return { expanded: messages.length, claims }
  })
}
