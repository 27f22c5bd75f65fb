import { tenantColumns, type ExpandRequest, type ExpandResult, type MessageRecord, type RoutingInput } from '@hookbox/core'
import { sql } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import { changes, rows, type Plan } from '../plan.js'
import { readConfigVersion } from './config-version.js'

const CHUNK = 500

/**
 * Expands up to `limit` messages; run it in ONE transaction. Takes the oldest unexpanded
 * messages, locked `FOR UPDATE SKIP LOCKED` where the dialect locks rows (another dispatcher
 * takes the next ones instead of waiting; SQLite's write lock admits one expansion at a time),
 * takes the routing from the planner's memory when it holds the current config version's, or
 * else reads it, asks the planner for the rows (leased ones included), inserts them and marks
 * the messages expanded. The leases and claims are the planner's, written as it made them.
 */
export function* expandMessages(d: KyselyDialect, request: ExpandRequest): Plan<ExpandResult> {
  const { qb } = d
  const found = yield* rows(
    d.shaped('expand:unexpanded', [request.limit], () =>
      d.lock(
        qb.selectFrom('hookbox_messages').selectAll().where('expanded', '=', sql.lit(0)).orderBy('seq').limit(request.limit),
        'skip locked',
      ),
    ),
  )
  if (found.length === 0) return { expanded: 0, claims: [] }
  const messages = found.map(d.rows.messageFromRow)
  const routing = request.planner.fromMemory?.(messages, yield* readConfigVersion(d)) ?? (yield* readRouting(d, request, messages))
  const { deliveries, claims } = request.planner.plan(request, { messages, ...routing })
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
 * version: the collections, the batch's tenants' enabled endpoints of the reached ones, and
 * which of the batch's tenants are disabled.
 */
function* readRouting(d: KyselyDialect, request: ExpandRequest, messages: MessageRecord[]): Plan<RoutingInput> {
  const { qb } = d
  const collections = (yield* rows(qb.selectFrom('hookbox_collections').selectAll().orderBy('name'))).map(d.rows.collectionFromRow)
  const names = request.planner.reach(messages, collections)
  const tenants = tenantColumns(messages)
  // Only the batch's tenants' endpoints of the reached collections, through (collection, tenant).
  const endpoints = names.length
    ? (yield* rows(
        qb
          .selectFrom('hookbox_endpoints')
          .selectAll()
          .where('collection', 'in', names)
          .where('tenant', 'in', tenants)
          .where('enabled', '=', 1)
          .orderBy('id'),
      )).map(d.rows.endpointFromRow)
    : []
  const named = tenants.filter((t) => t !== '')
  const disabledTenants = named.length
    ? (yield* rows(qb.selectFrom('hookbox_tenants').select('tenant').where('enabled', '=', sql.lit(0)).where('tenant', 'in', named))).map(
        (r) => r.tenant,
      )
    : []
  return { collections, endpoints, disabledTenants }
}
