import type { Migration } from '@hookbox/core'

/**
 * The pending deliveries by endpoint (migration 11) are kept by block of 1,024 message
 * sequence numbers first (`message_seq >> 10`), as migrations 9 and 10 did for the tenant
 * indexes. Led by the endpoint, the 300 deliveries of an expansion batch spread over 10,000
 * tenants landed on about 300 leaves: the batch's commit wrote 100 WAL pages, growing to 247 as
 * the pending rows grew (one tenant's: 64 to 70), issue 13. Now they land in the newest block's
 * few leaves (73 to 77 pages). `dueOutside` seeks each block holding pending deliveries in
 * turn, so its cost grows with the backlog's blocks, not its rows: 2 to 7 ms at 1,000,000 pending
 * of one endpoint, against about 140 ms for the scan it saves. Blocks of 256 kept the spread
 * commit at one tenant's size but took 33 to 90 ms there.
 */
export const endpointDueBlocksMigration: Migration = {
  version: 12,
  name: 'endpoint due blocks',
  sql: () => `
DROP INDEX hookbox_deliveries_endpoint_due;
CREATE INDEX hookbox_deliveries_endpoint_due_block ON hookbox_deliveries ((message_seq >> 10), endpoint_id, next_attempt_at)
  WHERE state = 'pending';
`,
}
