import {
  tenantColumns,
  type ExpandRequest,
  type ExpandResult,
  type MessageRecord,
  type RoutingInput,
  type SqlExecutor,
} from '@hookbox/core'
import { sql, type Selectable } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { collectionFromRow, deliveryToRow, endpointFromRow, messageFromRow, toMs } from '../rows.js'
import type { CollectionsTable, EndpointsTable, MessagesTable } from '../schema.js'

/**
 * Expands up to `limit` messages in ONE transaction: locks the oldest unexpanded ones with
 * `FOR UPDATE SKIP LOCKED` (another dispatcher takes the next ones instead of waiting) and
 * reads the collections and the config version in the same round trip; takes the routing from
 * the planner's memory when it holds that version's, or else asks the planner which
 * collections' enabled endpoints to load and reads those of the batch's tenants (and which
 * tenants are disabled); asks it for the rows (leased ones included), then inserts every
 * delivery and marks every message expanded in one statement.
 */
export async function expandMessages(x: PostgresExecutor, request: ExpandRequest, hint: ExpandHint): Promise<ExpandResult> {
  // Most passes find nothing: one autocommit look-up instead of BEGIN, SELECT, COMMIT. In seq
  // order, so it reads the first entry of `messages_unexpanded`: without an order, statistics
  // taken while the queue was full (most rows unexpanded) made it a sequential scan from the
  // table's start, through every message expanded since (3,300 rows a probe in an 8,000 drain).
  // Right after a full batch more are likely waiting: the look-up would be one more round trip
  // on the commit → send path (80 of 81 probes found work in an 8,000-message drain).
  if (!hint.full) {
    const any = await x.rows(sql`SELECT 1 FROM ${x.t('messages')} WHERE NOT expanded ORDER BY seq LIMIT 1`)
    if (any.length === 0) return { expanded: 0, claims: [] }
  }
  hint.full = false
  const result = await x.transaction(async (trx) => {
    // The batch, every collection and the config version in one round trip: this sits on the commit → send path.
    // As json (row_to_json), not jsonb: a jsonb tree built and key-sorted per row only to be
    // printed again cost 2-4 times as much server CPU per batch.
    const [batch] = await x.rows<{
      messages: Array<Selectable<MessagesTable>> | null
      collections: Array<Selectable<CollectionsTable>> | null
      version: string
    }>(
      sql`
      WITH m AS (SELECT * FROM ${x.t('messages')} WHERE NOT expanded ORDER BY seq LIMIT ${request.limit} FOR UPDATE SKIP LOCKED)
      SELECT (SELECT json_agg(m ORDER BY m.seq) FROM m) AS messages,
        (SELECT json_agg(c ORDER BY c.name) FROM ${x.t('collections')} c WHERE EXISTS (SELECT 1 FROM m)) AS collections,
        (SELECT version FROM ${x.t('config_version')}) AS version`,
      trx,
    )
    const rows = batch?.messages ?? []
    if (rows.length === 0) return { expanded: 0, claims: [] }
    const messages = rows.map(messageFromRow)
    const routing =
      request.planner.fromMemory?.(messages, Number(batch!.version)) ?? (await readRouting(x, trx, request, messages, batch!.collections))
    const { deliveries, claims } = request.planner.plan(request, { messages, ...routing })
    const byId = new Map(rows.map((r) => [r.id, r]))
    const values = deliveries.map((d) => {
      const row = byId.get(d.delivery.messageId)!
      return deliveryToRow(d, toMs(row.seq), row.request_id)
    })
    // json, not jsonb, for a document read once (see complete.ts).
    await x.rows(
      sql`
      WITH inserted AS (
        INSERT INTO ${x.t('deliveries')} (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
          progress, state, attempts, next_attempt_at, window_start, deadline, last_error, ordering_key, created_at, updated_at,
          completed_at, lease_owner, lease_until, lease_token, tenant)
        SELECT * FROM json_to_recordset(${JSON.stringify(values)}::json) AS x(id text, message_id text, message_seq bigint,
          request_id text, collection text, failure_mode text, endpoint_id text, targets jsonb, progress jsonb, state text,
          attempts integer, next_attempt_at bigint, window_start bigint, deadline bigint, last_error text, ordering_key text, created_at bigint,
          updated_at bigint, completed_at bigint, lease_owner text, lease_until bigint, lease_token text, tenant text)
        RETURNING 1
      )
      UPDATE ${x.t('messages')} SET expanded = true WHERE id = ANY(${rows.map((m) => m.id)}::text[])`,
      trx,
    )
    return { expanded: rows.length, claims }
  })
  hint.full = result.expanded === request.limit
  return result
}

/** What the store's last expansion found: a full batch (so the next one skips its look-up). */
export interface ExpandHint {
  full: boolean
}

/**
 * The batch's routing from the tables, when the planner holds none for the current config
 * version: the batch's tenants' endpoints of the reached collections only, through
 * (collection, tenant), and which of the batch's tenants are disabled, in one round trip.
 * Each tenant is looked up on its own (the `OFFSET 0` keeps the planner from flattening the
 * lateral subquery): with `tenant = ANY(…)` and statistics older than the endpoints (autovacuum
 * off, or not yet run) it scanned every endpoint of the collection, 30,000 rows for 300 at
 * 10,000 tenants. `json_agg`, unsorted (the planner groups and sorts them), costs about a third
 * of `jsonb_agg(to_jsonb(e) ORDER BY e.id)`: a spread batch's read went from about 15 to 5 ms.
 */
async function readRouting(
  x: PostgresExecutor,
  trx: SqlExecutor,
  request: ExpandRequest,
  messages: MessageRecord[],
  collectionRows: Array<Selectable<CollectionsTable>> | null,
): Promise<RoutingInput> {
  const collections = (collectionRows ?? []).map(collectionFromRow)
  const names = request.planner.reach(messages, collections)
  const tenants = tenantColumns(messages)
  const [found] = names.length
    ? await x.rows<{ endpoints: Array<Selectable<EndpointsTable>> | null; disabled: string[] | null }>(
        sql`SELECT
          (SELECT json_agg(e) FROM unnest(${tenants}::text[]) AS b(tenant) CROSS JOIN LATERAL (
            SELECT * FROM ${x.t('endpoints')} e WHERE e.tenant = b.tenant AND e.collection = ANY(${names}::text[]) AND e.enabled OFFSET 0) e
          ) AS endpoints,
          (SELECT array_agg(t.tenant) FROM ${x.t('tenants')} t WHERE t.tenant = ANY(${tenants}::text[]) AND NOT t.enabled) AS disabled`,
        trx,
      )
    : []
  return { collections, endpoints: (found?.endpoints ?? []).map(endpointFromRow), disabledTenants: found?.disabled ?? [] }
}
