import type { Migration } from '@hookbox/core'

/**
 * Migration 7's key by endpoint, for pending deliveries only. InnoDB has no partial index, so
 * `(state, endpoint_id, next_attempt_at)` also kept every finished delivery under its endpoint:
 * with 30,000 endpoints (10,000 tenants × 3) each completion moved its entry to a different
 * endpoint's place among the finished ones, a different leaf page each time (issue 13). The key
 * now holds a virtual column that is the endpoint while the delivery is pending and NULL after,
 * so finished entries sort by id (time-ordered) and append. The skipping claim's reads say
 * `state = 'pending'`, where the two columns are equal. One `ALTER TABLE` (atomic): a run cut
 * short is finished by the next `migrate()`.
 */
export const pendingEndpointMigration: Migration = {
  version: 9,
  name: 'pending endpoint',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    return `
ALTER TABLE ${t('hookbox_deliveries')}
  ADD COLUMN pending_endpoint_id VARCHAR(64) AS (IF(state = 'pending', endpoint_id, NULL)) VIRTUAL,
  DROP INDEX hookbox_deliveries_endpoint_due,
  ADD KEY hookbox_deliveries_pending_endpoint (state, pending_endpoint_id, next_attempt_at);
`
  },
}
