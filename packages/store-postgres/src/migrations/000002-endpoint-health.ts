import type { Migration } from '@hookbox/core'

/** Per-endpoint limits and the circuit breaker's state, shared by every dispatcher. */
export const endpointHealthMigration: Migration = {
  version: 2,
  name: 'endpoint health',
  sql: (s) => `
ALTER TABLE ${s}.endpoints
  ADD COLUMN max_in_flight integer,
  ADD COLUMN rate_per_second double precision,
  ADD COLUMN paused_until bigint,
  ADD COLUMN failing_since bigint;
`,
}
