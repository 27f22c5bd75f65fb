import type { Migration } from '@hookbox/core'

/**
 * Leaves room in each `deliveries` page so that a lease (owner, expiry, token: no indexed
 * column) is a HOT update that writes no index entries. It applies to pages written from now on.
 */
export const deliveriesFillfactorMigration: Migration = {
  version: 3,
  name: 'deliveries fillfactor',
  sql: (s) => `ALTER TABLE ${s}.deliveries SET (fillfactor = 80);`,
}
