import { tenantToColumn, type AttemptRecord, type DeliveryQuery, type DeliveryRecord, type MessageRecord } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { selectOne, selectRows, type MaybePromise } from '../plan.js'

/** One delivery by id. */
export function getDelivery(d: KyselyDialect, { id }: { id: string }): MaybePromise<DeliveryRecord | undefined> {
  return selectOne(d.exec, d.qb.selectFrom('hookbox_deliveries').selectAll().where('id', '=', id), d.rows.deliveryFromRow)
}

/** Deliveries matching the filter, by id. */
export function listDeliveries(d: KyselyDialect, query: DeliveryQuery): MaybePromise<DeliveryRecord[]> {
  let q = d.qb
    .selectFrom('hookbox_deliveries as d')
    .selectAll('d')
    .orderBy('d.id')
    .limit(query.limit ?? 100)
  const tenant = query.tenant === undefined ? undefined : tenantToColumn(query.tenant)
  // By message, the message index finds the few rows: the tenant is then a plain filter.
  const byMessage = query.requestId !== undefined || query.messageId !== undefined
  if (tenant !== undefined) q = byMessage ? q.where('d.tenant', '=', tenant) : q.where(d.deliveriesOfTenant(tenant))
  if (query.requestId !== undefined) {
    let byRequest = d.qb.selectFrom('hookbox_messages').select('id').where('request_id', '=', query.requestId)
    if (tenant !== undefined) byRequest = byRequest.where('tenant', '=', tenant)
    q = q.where('d.message_id', 'in', byRequest)
  }
  if (query.messageId !== undefined) q = q.where('d.message_id', '=', query.messageId)
  if (query.state !== undefined) q = q.where('d.state', '=', query.state)
  if (query.collection !== undefined) q = q.where('d.collection', '=', query.collection)
  if (query.endpointId !== undefined) q = q.where(d.jsonArrayContains('d.targets', query.endpointId))
  if (query.after !== undefined) q = q.where('d.id', '>', query.after)
  return selectRows(d.exec, q, d.rows.deliveryFromRow)
}

/** The attempts of a delivery, oldest first. */
export function listAttempts(d: KyselyDialect, { deliveryId }: { deliveryId: string }): MaybePromise<AttemptRecord[]> {
  const q = d.qb.selectFrom('hookbox_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('started_at').orderBy('id')
  return selectRows(d.exec, q, d.rows.attemptFromRow)
}

/** One message by id. */
export function getMessage(d: KyselyDialect, { id }: { id: string }): MaybePromise<MessageRecord | undefined> {
  return selectOne(d.exec, d.qb.selectFrom('hookbox_messages').selectAll().where('id', '=', id), d.rows.messageFromRow)
}
