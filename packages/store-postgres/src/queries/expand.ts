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
import { atAddresses } from '../row-addresses.js'
import { collectionFromRow, deliveryToRow, endpointFromRow, messageFromRow, toMs } from '../rows.js'
import type { CollectionsTable, EndpointsTable, MessagesTable } from '../schema.js'

/** The batch as the expansion reads it: messages (each with its row's `ctid`), every collection and the config version. */
interface BatchRow {
  messages: Array<Selectable<MessagesTable> & { tid: string }> | null
  collections: Array<Selectable<CollectionsTable>> | null
  version: string
}

/**
 * Expands up to `limit` messages. The batch, every collection and the config version come in
 * one read; the routing from the planner's memory when it holds that version's, or else the
 * planner names the collections whose enabled endpoints to read, of the batch's tenants only;
 * the planner makes the rows (leased ones included), and one statement inserts them and marks
 * the messages expanded.
 *
 * Two ways to keep two dispatchers from expanding one message twice:
 * - A short batch (the commit → send path: a few messages just committed) is read without a
 *   lock and written with one autocommit statement that marks only messages still unexpanded
 *   and inserts only their deliveries: two round trips in all, against five for BEGIN, a look-up,
 *   the locking read, the write and COMMIT. A dispatcher that loses the race for a message
 *   (the message is expanded or locked when its statement runs) writes nothing for it and
 *   returns no claim of it. It skips rows locked by another expansion rather than wait for
 *   them: never a deadlock between two such statements, and a message skipped is either
 *   expanded by the other or found again by the next pass.
 * - A full batch (a backlog, where dispatchers in several processes should take different
 *   batches, not race for one) is locked `FOR UPDATE SKIP LOCKED` in a transaction.
 */
export async function expandMessages(x: PostgresExecutor, request: ExpandRequest, hint: ExpandHint): Promise<ExpandResult> {
  // Right after a full batch more are likely waiting: straight to the locking transaction.
  if (!hint.full) {
    // In seq order, so it reads the head of `messages_unexpanded`: without an order, statistics
    // taken while the queue was full (most rows unexpanded) made it a sequential scan from the
    // table's start, through every message expanded since.
    const [batch] = await x.rows<BatchRow>(batchQuery(x, request.limit, false))
    const found = batch?.messages?.length ?? 0
    if (found === 0) return { expanded: 0, claims: [] }
    if (found < request.limit) return expandUnlocked(x, request, batch!)
  }
  const result = await x.transaction(async (trx) => {
    const [batch] = await x.rows<BatchRow>(batchQuery(x, request.limit, true), trx)
    if (!batch?.messages?.length) return { expanded: 0, claims: [] }
    const { rows, values, claims } = await planBatch(x, request, batch, trx)
    // By their addresses (`ctid`): the rows are locked by this transaction since its read, so
    // none has moved. By `id = ANY(…)` the planner scanned the whole table, checking each row
    // against the batch's 100 ids, until the table passed about 8,000 rows (a fresh or
    // fast-growing table, as every bench drain's): each such write cost 1-2 ms more server CPU.
    await x.rows(
      sql`WITH inserted AS (${insertDeliveries(x, values)} RETURNING 1)
      UPDATE ${x.t('messages')} SET expanded = true WHERE ${atAddresses(rows.map((m) => m.tid))}`,
      trx,
    )
    return { expanded: rows.length, claims }
  })
  hint.full = result.expanded === request.limit
  return result
}

/** A short batch read without a lock, written by one statement that expands what is still unexpanded. */
async function expandUnlocked(x: PostgresExecutor, request: ExpandRequest, batch: BatchRow): Promise<ExpandResult> {
  const { rows, values, claims } = await planBatch(x, request, batch, x.own)
  const [written] = await x.rows<{ expanded: string[] | null }>(
    // By the rows' addresses, as the locked write (see there). Read without a lock, a row may
    // have moved since (expanded by another dispatcher: `NOT expanded` leaves it out) and its
    // old slot been reused by another message (`id = ANY(…)` leaves that one out). The locked
    // ones are then updated where the lock found them, through `ctid = ANY(ARRAY(…))`: a TID scan.
    sql`WITH marked AS (
        UPDATE ${x.t('messages')} SET expanded = true WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM ${x.t('messages')} WHERE ${atAddresses(rows.map((m) => m.tid))}
            AND id = ANY(${rows.map((m) => m.id)}::text[]) AND NOT expanded FOR UPDATE SKIP LOCKED
        )) RETURNING id
      ),
      inserted AS (${insertDeliveries(x, values, sql`WHERE x.message_id IN (SELECT id FROM marked)`)} RETURNING 1)
      SELECT array_agg(id) AS expanded FROM marked`,
  )
  const expandedIds = new Set(written?.expanded ?? [])
  const mine = expandedIds.size === rows.length ? claims : claims.filter((c) => expandedIds.has(c.delivery.messageId))
  return { expanded: expandedIds.size, claims: mine, expandedIds }
}

/** The batch read: the oldest unexpanded messages (locked, skipping locked ones, in a transaction), the collections and the version. */
function batchQuery(x: PostgresExecutor, limit: number, lock: boolean) {
  const m = lock
    ? sql`SELECT ctid AS tid, * FROM ${x.t('messages')} WHERE NOT expanded ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED`
    : sql`SELECT ctid AS tid, * FROM ${x.t('messages')} WHERE NOT expanded ORDER BY seq LIMIT ${limit}`
  // As json (row_to_json), not jsonb: a jsonb tree built and key-sorted per row only to be
  // printed again cost 2-4 times as much server CPU per batch.
  return sql`
    WITH m AS (${m})
    SELECT (SELECT json_agg(m ORDER BY m.seq) FROM m) AS messages,
      (SELECT json_agg(c ORDER BY c.name) FROM ${x.t('collections')} c WHERE EXISTS (SELECT 1 FROM m)) AS collections,
      (SELECT version FROM ${x.t('config_version')}) AS version`
}

/** Routes and plans a batch: its message rows, the delivery rows to insert and the claims among them. */
async function planBatch(x: PostgresExecutor, request: ExpandRequest, batch: BatchRow, via: SqlExecutor) {
  const rows = batch.messages!
  const messages = rows.map(messageFromRow)
  const routing =
    request.planner.fromMemory?.(messages, Number(batch.version)) ?? (await readRouting(x, via, request, messages, batch.collections))
  const { deliveries, claims } = request.planner.plan(request, { messages, ...routing })
  const byId = new Map(rows.map((r) => [r.id, r]))
  const values = deliveries.map((d) => {
    const row = byId.get(d.delivery.messageId)!
    return deliveryToRow(d, toMs(row.seq), row.request_id)
  })
  return { rows, values, claims }
}

/** INSERT of the delivery rows, from one json document (json, not jsonb: read once, see complete.ts). */
function insertDeliveries(x: PostgresExecutor, values: unknown[], where = sql``) {
  return sql`INSERT INTO ${x.t('deliveries')} (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
      progress, state, attempts, next_attempt_at, window_start, deadline, last_error, ordering_key, created_at, updated_at,
      completed_at, lease_owner, lease_until, lease_token, tenant)
    SELECT x.* FROM json_to_recordset(${JSON.stringify(values)}::json) AS x(id text, message_id text, message_seq bigint,
      request_id text, collection text, failure_mode text, endpoint_id text, targets jsonb, progress jsonb, state text,
      attempts integer, next_attempt_at bigint, window_start bigint, deadline bigint, last_error text, ordering_key text, created_at bigint,
      updated_at bigint, completed_at bigint, lease_owner text, lease_until bigint, lease_token text, tenant text)
    ${where}`
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
