import type { Migration } from '@hookbox/core'

/**
 * The pending deliveries by endpoint (migration 11) are kept by block of 1,024 message
 * sequence numbers first (`message_seq >> 10`), as migrations 9 and 10 did for the tenant
 * indexes. Led by the endpoint, the 300 deliveries of an expansion batch spread over 10,000
 * tenants landed on about 300 leaves (about 50 against 32 µs per message without the index,
 * issue 13); now they land in the newest block's few leaves. `dueOutside` seeks each block that
 * holds pending deliveries in turn, so its cost grows with the pending backlog's blocks, not
 * its rows (about 1.6 ms at 1,000,000 pending of one endpoint, against 140 ms for the scan it
 * saves).
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
