import { tenantColumns, type ExpandRequest, type ExpandResult, type MessageRecord, type RoutingInput } from '@hookbox/core'
import { sql } from 'kysely'
import { collectionFromRow, deliveryToRow, endpointFromRow, messageFromRow } from '../rows.js'
import { configVersion } from './config-version.js'
import type { SyncExecutor } from '../sync-executor.js'

const CHUNK = 500

/**
 * Expands up to `limit` messages in ONE IMMEDIATE transaction (SQLite's write lock stands in
 * for SKIP LOCKED: one expansion at a time): takes the oldest unexpanded messages, reads the
 * collections, asks the planner which collections' enabled endpoints to load, reads those of
 * the batch's tenants (and which of these tenants are disabled), asks
 * it for the rows (leased ones included), inserts them and marks the messages expanded.
 */
export function expandMessages(x: SyncExecutor, request: ExpandRequest): ExpandResult {
  const { qb } = x
  return x.tx(() => {
    const rows = x.all(
      x.shaped('unexpanded', [request.limit], () =>
        qb.selectFrom('hookbox_messages').selectAll().where('expanded', '=', sql.lit(0)).orderBy('seq').limit(request.limit),
      ),
    )
    if (rows.length === 0) return { expanded: 0, claims: [] }
    const messages = rows.map(messageFromRow)
    const routing = request.planner.fromMemory?.(messages, configVersion(x)) ?? readRouting(x, request, messages)
    const { deliveries, claims } = request.planner.plan(request, { messages, ...routing })
    const seq = new Map(rows.map((r) => [r.id, r.seq]))
    const values = deliveries.map((d) => deliveryToRow(d, seq.get(d.delivery.messageId)!))
    for (let i = 0; i < values.length; i += CHUNK)
      x.run(x.insert('hookbox_deliveries', values.slice(i, i + CHUNK) as unknown as Array<Record<string, unknown>>))
    x.run(
      qb
        .updateTable('hookbox_messages')
        .set({ expanded: 1 })
        .where(
          'seq',
          'in',
          rows.map((r) => r.seq),
        ),
    )
    return { expanded: rows.length, claims }
  })
}

/**
 * The batch's routing from the tables, when the planner holds none for the current config
 * version: the collections, the batch's tenants' enabled endpoints of the reached ones, and
 * which of the batch's tenants are disabled.
 */
function readRouting(x: SyncExecutor, request: ExpandRequest, messages: MessageRecord[]): RoutingInput {
  const { qb } = x
  const collections = x.all(qb.selectFrom('hookbox_collections').selectAll().orderBy('name')).map(collectionFromRow)
  const names = request.planner.reach(messages, collections)
  const tenants = tenantColumns(messages)
  // Only the batch's tenants' endpoints of the reached collections, through (collection, tenant).
  const endpoints = names.length
    ? x
        .all(
          qb
            .selectFrom('hookbox_endpoints')
            .selectAll()
            .where('collection', 'in', names)
            .where('tenant', 'in', tenants)
            .where('enabled', '=', 1)
            .orderBy('id'),
        )
        .map(endpointFromRow)
    : []
  const named = tenants.filter((t) => t !== '')
  const disabledTenants = named.length
    ? x
        .all(qb.selectFrom('hookbox_tenants').select('tenant').where('enabled', '=', sql.lit(0)).where('tenant', 'in', named))
        .map((r) => r.tenant)
    : []
  return { collections, endpoints, disabledTenants }
}
