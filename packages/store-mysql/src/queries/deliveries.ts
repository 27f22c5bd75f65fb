import { tenantToColumn, type AttemptRecord, type DeliveryQuery, type DeliveryRecord, type MessageRecord } from '@hookbox/core'
import { sql } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { attemptFromRow, deliveryFromRow, messageFromRow } from '../rows.js'

/** One delivery by id. */
export async function getDelivery(x: MysqlExecutor, { id }: { id: string }): Promise<DeliveryRecord | undefined> {
  const r = await x.one(x.qb.selectFrom('hookbox_deliveries').selectAll().where('id', '=', id))
  return r && deliveryFromRow(r)
}

/** Deliveries matching the filter, by id. */
export async function listDeliveries(x: MysqlExecutor, query: DeliveryQuery): Promise<DeliveryRecord[]> {
  let q = x.qb
    .selectFrom('hookbox_deliveries as d')
    .selectAll('d')
    .orderBy('d.id')
    .limit(query.limit ?? 100)
  const tenant = query.tenant === undefined ? undefined : tenantToColumn(query.tenant)
  if (tenant !== undefined) q = q.where('d.tenant', '=', tenant)
  if (query.requestId !== undefined) {
    let byRequest = x.qb.selectFrom('hookbox_messages').select('id').where('request_id', '=', query.requestId)
    if (tenant !== undefined) byRequest = byRequest.where('tenant', '=', tenant)
    q = q.where('d.message_id', 'in', byRequest)
  }
  if (query.messageId !== undefined) q = q.where('d.message_id', '=', query.messageId)
  if (query.state !== undefined) q = q.where('d.state', '=', query.state)
  if (query.collection !== undefined) q = q.where('d.collection', '=', query.collection)
  // JSON functions read LONGTEXT on both MySQL and MariaDB.
  if (query.endpointId !== undefined) q = q.where(sql<boolean>`JSON_CONTAINS(d.targets, JSON_QUOTE(${query.endpointId}))`)
  if (query.after !== undefined) q = q.where('d.id', '>', query.after)
  return (await x.all(q)).map(deliveryFromRow)
}

/** The attempts of a delivery, oldest first. */
export async function listAttempts(x: MysqlExecutor, { deliveryId }: { deliveryId: string }): Promise<AttemptRecord[]> {
  const rows = await x.all(
    x.qb.selectFrom('hookbox_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('started_at').orderBy('id'),
  )
  return rows.map(attemptFromRow)
}

/** One message by id. */
export async function getMessage(x: MysqlExecutor, { id }: { id: string }): Promise<MessageRecord | undefined> {
  const r = await x.one(x.qb.selectFrom('hookbox_messages').selectAll().where('id', '=', id))
  return r && messageFromRow(r)
}
