import type { Migration } from '@hookbox/core'

/**
 * The pending deliveries by endpoint are kept by block of 512 message sequence numbers
 * (`message_seq >> 9`), half of migration 12's 1,024. Inside a block the entries go by endpoint,
 * so a batch spread over 10,000 tenants (300 endpoints, each about once in a block) inserts over
 * every leaf of the newest block, where one tenant's 3 endpoints append to 3 runs: the spread
 * expansion wrote 0.24 WAL frames per message on this index against 0.13 (0.79 against 0.67 in
 * all), issue 13. Half the block has half the leaves: 0.16 against 0.12 (0.70 against 0.66;
 * scripts/expand-wal-probe.ts). `dueAround` seeks each block holding pending deliveries, so
 * its walk doubles: 8.6 to 16.2 ms at 1,000,000 pending of one endpoint, at most once a second
 * per skip set (the skip hints); blocks of 256 reached one tenant's frames (0.66 against 0.64)
 * but took 62 ms there (scripts/due-walk-probe.ts).
 */
export const endpointDueHalfBlocksMigration: Migration = {
  version: 13,
  name: 'endpoint due half blocks',
  sql: () => `
DROP INDEX hookbox_deliveries_endpoint_due_block;
CREATE INDEX hookbox_deliveries_endpoint_due_block ON hookbox_deliveries ((message_seq >> 9), endpoint_id, next_attempt_at)
  WHERE state = 'pending';
`,
}
