import {
  tenantColumns,
  type CollectionRecord,
  type EndpointRecord,
  type ExpandRequest,
  type ExpandResult,
  type MessageRecord,
  type RoutingInput,
} from '@hookbox/core'
import { sql, type CompiledQuery, type Selectable } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import { changes, rows, type Plan } from '../plan.js'
import type { EndpointsTable, MessagesTable } from '../schema.js'
import { readConfigVersion } from './config-version.js'

const CHUNK = 500

/** A row of the expansion's pick: a message, and the config version where the store's pick reads it in the same statement. */
export type PickedMessage = Selectable<MessagesTable> & { hookbox_config_version?: number | string }

/** The oldest `limit` unexpanded messages, locked `FOR UPDATE SKIP LOCKED` where the dialect locks rows: the expansion's pick. */
export function unexpandedMessages(d: KyselyDialect, limit: number): CompiledQuery<PickedMessage> {
  return d.shaped('expand:unexpanded', [limit], () =>
    d.lock(d.qb.selectFrom('hookbox_messages').selectAll().where('expanded', '=', sql.lit(0)).orderBy('seq').limit(limit), 'skip locked'),
  )
}

/**
 * Expands up to `limit` messages; run it in ONE transaction. Takes the oldest unexpanded
 * messages, locked `FOR UPDATE SKIP LOCKED` where the dialect locks rows (another dispatcher
 * takes the next ones instead of waiting; SQLite's write lock admits one expansion at a time),
 * takes the routing from the planner's memory when it holds the current config version's, or
 * else reads it, asks the planner for the rows (leased ones included), inserts them and marks
 * the messages expanded. The leases and claims are the planner's, written as it made them.
 * `pick` is a store's own spelling of `unexpandedMessages` (its index, lock and order);
 * where its rows carry the config version, it is not read again.
 */
export function* expandMessages(d: KyselyDialect, request: ExpandRequest, pick = unexpandedMessages(d, request.limit)): Plan<ExpandResult> {
  const { qb } = d
  const found = yield* rows(pick)
  if (found.length === 0) return { expanded: 0, claims: [] }
  const messages = found.map(d.rows.messageFromRow)
  const { planner } = request
  let routing: RoutingInput | undefined
  let collections: CollectionRecord[] | undefined
  if (planner.fromMemory) {
    const carried = found[0]!.hookbox_config_version
    const version = carried === undefined ? yield* readConfigVersion(d) : Number(carried)
    routing = planner.fromMemory(messages, version)
    if (!routing) collections = planner.collectionsAt?.(version)
  }
  routing ??= yield* readRouting(d, request, messages, collections)
  const { deliveries, claims } = planner.plan(request, { messages, ...routing })
  // BIGINT `seq` may arrive as a string (MySQL): the rows carry it as a number.
  const seq = new Map(found.map((r) => [r.id, Number(r.seq)]))
  const values = deliveries.map((p) => d.rows.deliveryToRow(p, seq.get(p.delivery.messageId)!))
  for (let i = 0; i < values.length; i += CHUNK) yield d.insert('hookbox_deliveries', values.slice(i, i + CHUNK))
  // Built once per batch size: kysely building and compiling 100 `seq` parameters cost about as much as the statement.
  const seqs = found.map((r) => r.seq)
  yield* changes(
    d.shaped(`expand:mark:${seqs.length}`, [1, ...seqs], () =>
      qb.updateTable('hookbox_messages').set({ expanded: 1 }).where('seq', 'in', seqs),
    ),
  )
  return { expanded: found.length, claims }
}

/**
 * The batch's routing from the tables, when the planner holds none for the current config
 * version: the collections (unless the planner holds that version's), the batch's tenants'
 * enabled endpoints of the reached ones, and which of the batch's tenants are disabled. The
 * last two in one statement: a spread batch meets new tenants nearly every time, so on a
 * network store each read here is a round trip on the commit → send path.
 */
function* readRouting(d: KyselyDialect, request: ExpandRequest, messages: MessageRecord[], held?: CollectionRecord[]): Plan<RoutingInput> {
  const { qb } = d
  const collections = held ?? (yield* rows(qb.selectFrom('hookbox_collections').selectAll().orderBy('name'))).map(d.rows.collectionFromRow)
  const names = request.planner.reach(messages, collections)
  const tenants = tenantColumns(messages)
  const named = tenants.filter((t) => t !== '')
  // Only the batch's tenants' endpoints of the reached collections, through (collection, tenant);
  // unsorted: the planner groups and sorts them.
  const endpoints = names.length
    ? qb
        .selectFrom('hookbox_endpoints as e')
        .selectAll('e')
        .select(sql<string | null>`NULL`.as('disabled_tenant'))
        .where('e.collection', 'in', names)
        .where('e.tenant', 'in', tenants)
        .where('e.enabled', '=', 1)
    : undefined
  // The disabled ones of the batch's tenants, shaped as endpoint rows (all NULL: no id is NULL)
  // so that both go in one UNION ALL. `ON 1 = 0` would do the same, but MariaDB then joins every
  // endpoint (a scan of 30,000 rows per batch with a disabled tenant); `id IS NULL` it knows is
  // impossible.
  const disabled = named.length
    ? qb
        .selectFrom('hookbox_tenants as t')
        .leftJoin('hookbox_endpoints as e', (j) => j.on('e.id', 'is', null))
        .selectAll('e')
        .select('t.tenant as disabled_tenant')
        .where('t.enabled', '=', sql.lit(0))
        .where('t.tenant', 'in', named)
    : undefined
  const query = endpoints && disabled ? endpoints.unionAll(disabled as never) : (endpoints ?? disabled)
  const found = query ? yield* rows(query) : []
  const disabledTenants: string[] = []
  const enabled: EndpointRecord[] = []
  for (const r of found)
    if (r.disabled_tenant !== null) disabledTenants.push(r.disabled_tenant)
    else enabled.push(d.rows.endpointFromRow(r as Selectable<EndpointsTable>))
  return { collections, endpoints: enabled, disabledTenants }
}
