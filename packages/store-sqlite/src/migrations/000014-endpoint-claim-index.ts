import type { Migration } from '@hookbox/core'

/** Migration 6's index on the disabled tenants' names alone (usually none: one page). */
export const DISABLED_TENANTS_INDEX = 'hookbox_tenants_disabled'

/** The index holding the endpoint columns the claim's pick reads (see {@link endpointClaimIndexMigration}). */
export const ENDPOINT_CLAIM_INDEX = 'hookbox_endpoints_claim'

/**
 * An index holding the endpoint columns the claim's pick reads for each `each` delivery
 * (`enabled`, the pause and the breaker's columns), issue 13. Through the primary key, each was
 * a seek in the key's index and another in the table, whose rows (URL, headers, auth) spread
 * 30,000 endpoints over many pages a spread batch rarely meets twice, where one tenant's 3 stay
 * in the cache. The pick names it and migration 6's disabled tenants' index, which its tenant
 * rule never used (`INDEXED BY`: SQLite's planner prefers a unique key's index). CPU per
 * delivery read by one pick of every due delivery of 3,000 messages × 3: 10,000 tenants spread
 * 12.3 -> 9.4 µs, 1 tenant 7.2 -> 6.3 µs; per delivery claimed in claims of 32
 * (scripts/claim-spread-probe.ts, 9 interleaved rounds on a loaded machine): spread 41.2 -> 37.2
 * µs, 1 tenant 34.1 -> 34.4 µs.
 */
export const endpointClaimIndexMigration: Migration = {
  version: 14,
  name: 'endpoint claim index',
  sql: () => `
CREATE INDEX ${ENDPOINT_CLAIM_INDEX} ON hookbox_endpoints (id, enabled, paused_until, failing_since, updated_at);
`,
}
