import type { Migration } from '@hookbox/core'

/**
 * Small partial indexes of the endpoints a claim skips (disabled, or with a breaker pause set)
 * and of the disabled tenants. The claim's skip rules sit inside ORs, so Postgres runs each
 * `NOT EXISTS` as a hashed subplan built from every row that matches it: without these, each
 * claim read the whole `endpoints` table (14.7 ms of a 20 ms claim with 10,000 tenants × 3
 * endpoints, against 0.9 ms with one tenant); with them it reads only the few such rows.
 */
export const heldEndpointsIndexMigration: Migration = {
  version: 12,
  name: 'held endpoints index',
  sql: (s) => `
CREATE INDEX IF NOT EXISTS endpoints_held ON ${s}.endpoints (id) WHERE NOT enabled OR paused_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS tenants_disabled ON ${s}.tenants (tenant) WHERE NOT enabled;
`,
}
