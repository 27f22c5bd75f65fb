import { tenantColumns, type ExpandRequest, type ExpandResult, type MessageRecord, type RoutingInput } from '@hookbox/core'
import { sql } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { collectionFromRow, deliveryToRow, endpointFromRow, messageFromRow } from '../rows.js'
import { configVersion } from './config-version.js'

const CHUNK = 500

/**
 * Expands up to `limit` messages in ONE transaction: locks the oldest unexpanded messages with
 * `FOR UPDATE SKIP LOCKED` (another dispatcher takes the next ones instead of waiting), reads
 * the collections, asks the planner which collections' enabled endpoints to load, reads them,
 * asks it for the rows (leased ones included), inserts them and marks the messages expanded.
 */
export async function expandMessages(x: MysqlExecutor, request: ExpandRequest): Promise<ExpandResult> {
  // Most passes find nothing: one autocommit look-up instead of a whole transaction.
  const any = await x.one(x.qb.selectFrom('hookbox_messages').select('seq').where('expanded', '=', sql.lit(0)).limit(1))
  if (!any) return { expanded: 0, claims: [] }
  return x.tx(async (x) => {
    const { qb } = x
    const rows = await x.all(
      qb
        .selectFrom('hookbox_messages')
        .selectAll()
        .where('expanded', '=', sql.lit(0))
        .orderBy('seq')
        .limit(request.limit)
        .forUpdate()
        .skipLocked(),
    )
    if (rows.length === 0) return { expanded: 0, claims: [] }
    const messages = rows.map(messageFromRow)
    const routing = request.planner.fromMemory?.(messages, await configVersion(x)) ?? (await readRouting(x, request, messages))
    const { deliveries, claims } = request.planner.plan(request, { messages, ...routing })
    const seq = new Map(rows.map((r) => [r.id, Number(r.seq)]))
    const values = deliveries.map((d) => deliveryToRow(d, seq.get(d.delivery.messageId)!))
    for (let i = 0; i < values.length; i += CHUNK)
      await x.run(x.insert('hookbox_deliveries', values.slice(i, i + CHUNK) as unknown as Array<Record<string, unknown>>))
    await x.run(
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
  }, 'scan')
}

/**
 * The batch's routing from the tables, when the planner holds none for the current config
 * version: the collections, the batch's tenants' enabled endpoints of the reached ones, and
 * which of the batch's tenants are disabled.
 */
async function readRouting(x: MysqlExecutor, request: ExpandRequest, messages: MessageRecord[]): Promise<RoutingInput> {
  const { qb } = x
  const collections = (await x.all(qb.selectFrom('hookbox_collections').selectAll().orderBy('name'))).map(collectionFromRow)
  const names = request.planner.reach(messages, collections)
  const tenants = tenantColumns(messages)
  // Only the batch's tenants' endpoints of the reached collections, through (collection, tenant).
  const endpoints = names.length
    ? (
        await x.all(
          qb
            .selectFrom('hookbox_endpoints')
            .selectAll()
            .where('collection', 'in', names)
            .where('tenant', 'in', tenants)
            .where('enabled', '=', 1)
            .orderBy('id'),
        )
      ).map(endpointFromRow)
    : []
  const named = tenants.filter((t) => t !== '')
  const disabledTenants = named.length
    ? (await x.all(qb.selectFrom('hookbox_tenants').select('tenant').where('enabled', '=', sql.lit(0)).where('tenant', 'in', named))).map(
        (r) => r.tenant,
      )
    : []
  return { collections, endpoints, disabledTenants }
}
