import { sql, type RawBuilder } from 'kysely'
import type { PostgresExecutor } from './postgres-executor.js'

/**
 * Postgres keeps the messages' and deliveries' tenant indexes by block of sequence numbers
 * first (migration 14), so inserts and write-backs spread over many tenants stay in the newest
 * blocks. A tenant's rows are found by seeking (block, tenant) for every block from the
 * table's lowest to its highest (Postgres 15 has no skip scan): this condition, whose first
 * part is the index's expression so the planner seeks it for each element of the array; the
 * bounds are read from the same index (its first and last entry).
 *
 * The price is paid by a tenant's reads, never by the hot path: one seek per block of the
 * table, and a read in id order (`deliveries.list({ tenant })`, dead letters by tenant) sorts
 * the tenant's matching rows and keeps the first `limit`, where (tenant, id) stopped after
 * `limit` rows.
 */
export function ofTenant(x: PostgresExecutor, table: 'messages' | 'deliveries', tenant: string): RawBuilder<boolean> {
  const block = table === 'messages' ? sql`(seq >> 12)` : sql`(message_seq >> 8)`
  return sql<boolean>`${block} = ANY (ARRAY(SELECT generate_series(
    (SELECT min${block} FROM ${x.t(table)}), (SELECT max${block} FROM ${x.t(table)}))))
    AND tenant = ${tenant}`
}

/**
 * A message's deliveries, through the same deliveries index, which ends with `message_seq`
 * (migration 21): the message's block, tenant and sequence number, read from the message by its
 * id (a delivery copies all three from its message, and a message outlives its deliveries).
 */
export function ofMessage(x: PostgresExecutor, messageId: string): RawBuilder<boolean> {
  const of = (column: RawBuilder<unknown>) => sql`(SELECT ${column} FROM ${x.t('messages')} WHERE id = ${messageId})`
  return sql<boolean>`(message_seq >> 8) = ${of(sql`seq >> 8`)} AND tenant = ${of(sql`tenant`)}
    AND message_seq = ${of(sql`seq`)} AND message_id = ${messageId}`
}
