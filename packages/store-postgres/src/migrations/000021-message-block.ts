import type { Migration } from '@hookbox/core'

/**
 * One index fewer on `deliveries` (issue 16): `deliveries_message_id (message_id)` goes, and the
 * block-led tenant index (migration 14) is replaced by one that ends with `message_seq`, so that
 * it finds a message's deliveries by the message's block, tenant and sequence number (`ofMessage`
 * in tenant-blocks.ts: the message is read by its id first; a delivery copies all three from its
 * message). A new name, so that it can be built beforehand (`CREATE INDEX CONCURRENTLY`, README).
 *
 * Every delivery wrote an entry in each index twice: when expansion inserts it and when its
 * final write-back (never HOT: its state leaves the pending indexes) writes its new version.
 * The message index served only listings by message and retention's check that a message has no
 * delivery left, both as well served by the widened one.
 */
export const messageBlockMigration: Migration = {
  version: 21,
  name: 'deliveries found by message block',
  sql: (s) => `
CREATE INDEX IF NOT EXISTS deliveries_tenant_block_seq ON ${s}.deliveries ((message_seq >> 8), tenant, message_seq);
DROP INDEX IF EXISTS ${s}.deliveries_tenant_block;
DROP INDEX IF EXISTS ${s}.deliveries_message_id;
`,
}
