import type { Migration } from '@hookbox/core'

/**
 * The messages' tenant index leads with the block of 4,096 sequence numbers a message falls in
 * (`seq >> 12`), then the tenant. Led by the tenant, every message of a batch spread over many
 * tenants landed on a different leaf of a large index, one the page cache mostly did not hold:
 * a notify read and wrote about one more page than one tenant's appends at the right edge
 * (issue 13, 10,000 tenants). Now every insert lands in the newest block, a few pages that stay
 * cached, and a tenant purge seeks each block in turn (`purgeTenant`).
 */
export const messageTenantBlocksMigration: Migration = {
  version: 9,
  name: 'message tenant blocks',
  sql: () => `
DROP INDEX hookbox_messages_tenant;
CREATE INDEX hookbox_messages_tenant_block ON hookbox_messages ((seq >> 12), tenant);
`,
}
