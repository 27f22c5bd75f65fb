import { tenantToColumn, type AttemptRecord, type DeliveryQuery, type DeliveryRecord, type MessageRecord } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { attemptFromRow, deliveryFromRow, messageFromRow } from '../rows.js'
import { ofMessage, ofTenant } from '../tenant-blocks.js'

/** One delivery by id. */
export async function getDelivery(x: PostgresExecutor, { id }: { id: string }): Promise<DeliveryRecord | undefined> {
  const [r] = await x.rows(x.tables.selectFrom('deliveries').selectAll().where('id', '=', id))
  return r && deliveryFromRow(r)
}

/** Deliveries matching the filter, by id. */
export async function listDeliveries(x: PostgresExecutor, query: DeliveryQuery): Promise<DeliveryRecord[]> {
  let q = x.tables
    .selectFrom('deliveries')
    .selectAll()
    .orderBy('id')
    .limit(query.limit ?? 100)
  if (query.tenant !== undefined) q = q.where(ofTenant(x, 'deliveries', tenantToColumn(query.tenant)))
  if (query.requestId !== undefined) q = q.where('request_id', '=', query.requestId)
  if (query.messageId !== undefined) q = q.where(ofMessage(x, query.messageId))
  if (query.state !== undefined) q = q.where('state', '=', query.state)
  if (query.collection !== undefined) q = q.where('collection', '=', query.collection)
  if (query.endpointId !== undefined) {
    const endpointId = query.endpointId
    q = q.where((eb) => eb.or([eb('endpoint_id', '=', endpointId), sql<boolean>`targets ? ${endpointId}`]))
  }
  if (query.after !== undefined) q = q.where('id', '>', query.after)
  return (await x.rows(q)).map(deliveryFromRow)
}

/** The attempts of a delivery, oldest first. */
export async function listAttempts(x: PostgresExecutor, { deliveryId }: { deliveryId: string }): Promise<AttemptRecord[]> {
  const rows = await x.rows(
    x.tables.selectFrom('attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('started_at').orderBy('id'),
  )
  return rows.map(attemptFromRow)
}

/** One message by id. */
export async function getMessage(x: PostgresExecutor, { id }: { id: string }): Promise<MessageRecord | undefined> {
  const [r] = await x.rows(x.tables.selectFrom('messages').selectAll().where('id', '=', id))
  return r && messageFromRow(r)
}
