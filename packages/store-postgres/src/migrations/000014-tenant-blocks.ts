import type { Migration } from '@hookbox/core'

/**
 * The messages' and deliveries' tenant indexes lead with the block of sequence numbers a row
 * falls in (4,096 messages, `seq >> 12`; 256 messages' deliveries, `message_seq >> 8`), then
 * the tenant, as SQLite's migrations 9 and 10 did.
 *
 * Led by the tenant, the rows of a batch spread over many tenants each landed on a different
 * leaf, and so did the new index entry of every write-back that is not HOT (the delivered one
 * changes `state`; marking a message expanded changes `deliveries_due`'s and
 * `messages_unexpanded`'s predicate): after a checkpoint, every leaf first touched writes a
 * full page image to the WAL. Setting 300 rows of 30,000 spread over 10,000 tenants to
 * `delivered` (EXPLAIN (ANALYZE, BUFFERS, WAL)) dirtied 76–118 pages and wrote 550–852 kB of
 * WAL, against 31–34 pages and 220–227 kB for one tenant's rows; block-led, 33–34 pages and
 * 222–226 kB. A tenant's rows are found by one seek per block (`tenant-blocks.ts`).
 *
 * The attempts keep their tenant index: a write-back that lost its lease still logs the
 * attempt it made (see complete.ts), so one finishing after a tenant purge leaves attempts whose
 * delivery is gone, and only that index lets the next purge find them.
 */
export const tenantBlocksMigration: Migration = {
  version: 14,
  name: 'tenant blocks',
  sql: (s) => `
DROP INDEX IF EXISTS ${s}.messages_tenant;
CREATE INDEX IF NOT EXISTS messages_tenant_block ON ${s}.messages ((seq >> 12), tenant);
DROP INDEX IF EXISTS ${s}.deliveries_tenant;
CREATE INDEX IF NOT EXISTS deliveries_tenant_block ON ${s}.deliveries ((message_seq >> 8), tenant);
`,
}
