/**
 * SQLite keeps the messages' and deliveries' tenant indexes by block of 4,096 sequence numbers
 * first (migrations 9 and 10), so inserts spread over many tenants stay in the newest block. A
 * tenant's rows are found by seeking (block, tenant) for every block from the table's lowest to
 * its highest: this condition, then `AND tenant = ?`. The expression must be the index's (`seq`
 * of a message, `message_seq` of a delivery) for the planner to use it; the bounds come from
 * the same index (min/max of the expression).
 */
export function inTenantBlocks(table: 'hookbox_messages' | 'hookbox_deliveries'): string {
  const [seq, bits] = table === 'hookbox_messages' ? ['seq', 12] : ['message_seq', 8]
  const block = `(${seq} >> ${bits})`
  return `${block} IN (WITH RECURSIVE blocks(b) AS (
  SELECT min${block} FROM ${table}
  UNION ALL SELECT b + 1 FROM blocks WHERE b < (SELECT max${block} FROM ${table})
) SELECT b FROM blocks)`
}
