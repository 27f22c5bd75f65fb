import { tenantToColumn, type AttemptRecord, type DeliveryQuery, type DeliveryRecord, type MessageRecord } from '@hookbox/core'
import { sql } from 'kysely'
import { attemptFromRow, deliveryFromRow, messageFromRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/** One delivery by id. */
export function getDelivery(x: SyncExecutor, { id }: { id: string }): DeliveryRecord | undefined {
  const r = x.one(x.qb.selectFrom('hookbox_deliveries').selectAll().where('id', '=', id))
  return r && deliveryFromRow(r)
}

/** Deliveries matching the filter, by id. */
export function listDeliveries(x: SyncExecutor, query: DeliveryQuery): DeliveryRecord[] {
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
  if (query.endpointId !== undefined)
    q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM json_each(d.targets) WHERE value = ${query.endpointId})`)
  if (query.after !== undefined) q = q.where('d.id', '>', query.after)
  return x.all(q).map(deliveryFromRow)
}

/** The attempts of a delivery, oldest first. */
export function listAttempts(x: SyncExecutor, { deliveryId }: { deliveryId: string }): AttemptRecord[] {
  return x
    .all(x.qb.selectFrom('hookbox_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('started_at').orderBy('id'))
    .map(attemptFromRow)
}

/** One message by id. */
export function getMessage(x: SyncExecutor, { id }: { id: string }): MessageRecord | undefined {
  const r = x.one(x.qb.selectFrom('hookbox_messages').selectAll().where('id', '=', id))
  return r && messageFromRow(r)
}
