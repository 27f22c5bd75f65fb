import type { Migration } from '@hookbox/core'

/**
 * The deliveries' tenant index leads with the block of 256 message sequence numbers the
 * delivery's message falls in (`message_seq >> 8`, a virtual column: MariaDB and MySQL have no
 * expression index), then the tenant, as the other stores' tenant indexes do. Led by the tenant,
 * each of the 300 deliveries an expansion batch of 100 messages spread over 10,000 tenants
 * inserts landed on a different leaf: 13.8 pages of this index modified per 100 messages
 * expanded, against 1.0 for one tenant's (issue 13, scripts/mysql-spread-expand-probe.ts). A
 * tenant's deliveries are found by one seek per block (`tenant-blocks.ts`).
 *
 * The messages keep `(tenant, seq)`: neither server takes a generated column over an
 * AUTO_INCREMENT one, and a stored copy of `seq` cannot be written by the insert that assigns
 * it. Expansion does not write that index (marking a message expanded leaves it as it is); only
 * notify's insert does. The attempts keep theirs: a write-back that lost its lease still logs
 * the attempt it made (complete.ts), so attempts can outlive their delivery, and only that index
 * lets a tenant purge find them.
 *
 * One `ALTER TABLE` (atomic): a run cut short is finished by the next `migrate()`.
 */
export const deliveryTenantBlocksMigration: Migration = {
  version: 10,
  name: 'delivery tenant blocks',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    return `
ALTER TABLE ${t('hookbox_deliveries')}
  ADD COLUMN message_block BIGINT AS (message_seq >> 8) VIRTUAL,
  DROP INDEX hookbox_deliveries_tenant,
  ADD KEY hookbox_deliveries_tenant_block (message_block, tenant);
`
  },
}
