import type { Migration } from '@hookbox/core'

/** Per-endpoint limits and the circuit breaker's state. */
export const endpointHealthMigration: Migration = {
  version: 2,
  name: 'endpoint health',
  sql: () => `
ALTER TABLE hookbox_endpoints ADD COLUMN max_in_flight INTEGER;
ALTER TABLE hookbox_endpoints ADD COLUMN rate_per_second REAL;
ALTER TABLE hookbox_endpoints ADD COLUMN paused_until INTEGER;
ALTER TABLE hookbox_endpoints ADD COLUMN failing_since INTEGER;
`,
}
