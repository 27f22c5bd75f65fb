import type { Migration } from '@hookbox/core'

/**
 * Less index work per delivery on the hot path (issue 16):
 *
 * - `deliveries` pages are filled to 40% (was 50%), so that every lease of a freshly expanded
 *   page is a HOT update. A claim leases a page's rows together (they were inserted together),
 *   and each leased version is larger than the row it replaces (owner, expiry, token): at 50%
 *   the last rows of a page found no room, and each such lease wrote an entry in every index of
 *   the table (a no-op drain of 8,000: 4,161–4,726 of 5,300–5,900 leases HOT, now all). It
 *   applies to pages written from now on.
 * - `attempts_tenant` leaves out the default tenant's attempts: it serves only the purge of a
 *   named tenant (the default tenant is never purged), and every attempt of a store without
 *   tenants paid one index insert for it.
 */
export const hotLeasesMigration: Migration = {
  version: 19,
  name: 'hot leases',
  sql: (s) => `
ALTER TABLE ${s}.deliveries SET (fillfactor = 40);
DROP INDEX IF EXISTS ${s}.attempts_tenant;
CREATE INDEX IF NOT EXISTS attempts_tenant ON ${s}.attempts (tenant) WHERE tenant <> '';
`,
}
