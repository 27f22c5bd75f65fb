import type { Migration } from '@hookbox/core'

/**
 * The pending deliveries by endpoint, so a claim that skips endpoints (their in-flight window
 * is full) first asks, in a few seeks, whether any due delivery outside them exists. Without
 * it, one that found nothing read the skipped endpoints' whole backlog through the due index:
 * about 200 ms each at 1,000,000 pending, ten of them in a drain of 8,000 (issue 16).
 */
export const endpointDueMigration: Migration = {
  version: 11,
  name: 'endpoint due',
  sql: () => `
CREATE INDEX hookbox_deliveries_endpoint_due ON hookbox_deliveries (endpoint_id, next_attempt_at) WHERE state = 'pending';
`,
}
