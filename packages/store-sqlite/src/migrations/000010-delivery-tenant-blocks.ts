import type { Migration } from '@hookbox/core'

/**
 * The deliveries' tenant index leads with the block of 256 message sequence numbers the
 * delivery's message falls in (`message_seq >> 8`), then the tenant, as migration 9 did for
 * messages. Led by the tenant, each of the 300 deliveries an expansion batch of 100 messages
 * spread over 10,000 tenants inserts landed on a different leaf of a large index: the batch's
 * commit wrote about 110 pages to the WAL where one tenant's wrote 57, and expansion per message
 * took about twice as long (issue 13). The block is small because the inserts of one commit
 * still spread over the tenants of its newest block: 256 messages (about 768 deliveries) keep
 * that to a few pages (4,096, as for messages, still wrote about 77). Without the id the
 * entries stay short (fewer pages per block). A tenant's reads seek (block, tenant) for every
 * block in turn (`tenant-blocks.ts`): one seek per 256 messages of the table, then its rows.
 */
export const deliveryTenantBlocksMigration: Migration = {
  version: 10,
  name: 'delivery tenant blocks',
  sql: () => `
DROP INDEX hookbox_deliveries_tenant;
CREATE INDEX hookbox_deliveries_tenant_block ON hookbox_deliveries ((message_seq >> 8), tenant);
`,
}
