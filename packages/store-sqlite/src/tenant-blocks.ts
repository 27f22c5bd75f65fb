/**
 * SQLite keeps the messages' and deliveries' tenant indexes by block of sequence numbers first
 * (4,096 messages, migration 9; 256 messages' deliveries, migration 10), so inserts spread over
 * many tenants stay in the newest block. A tenant's rows are found by seeking (block, tenant)
 * for every block from the table's lowest to its highest: this condition, then
 * `AND tenant = ?`. The expression must be the index's (`seq` of a message, `message_seq` of a
 * delivery) for the planner to use it; the bounds come from the same index (min/max of it).
 *
 * The price is paid by a tenant's reads, never by the hot path: one seek per block of the
 * table, and a read in id order (`deliveries.list({ tenant })`, dead letters by tenant) takes
 * every row of the tenant that passes its filters and keeps the first `limit` (a top-N sort)
 * where (tenant, id) stopped after `limit` rows.
 */
export function inTenantBlocks(table: 'hookbox_messages' | 'hookbox_deliveries'): string {
  const [seq, bits] = table === 'hookbox_messages' ? ['seq', 12] : ['message_seq', 8]
  const block = `(${seq} >> ${bits})`
  return `${block} IN (WITH RECURSIVE blocks(b) AS (
  SELECT min${block} FROM ${table}
  UNION ALL SELECT b + 1 FROM blocks WHERE b < (SELECT max${block} FROM ${table})
) SELECT b FROM blocks)`
}
