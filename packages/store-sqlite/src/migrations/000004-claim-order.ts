import type { Migration } from '@hookbox/core'

/** Claims order by next attempt, message sequence, then id, as in every store: the index follows. */
export const claimOrderMigration: Migration = {
  version: 4,
  name: 'claim order',
  sql: () => `
DROP INDEX hookbox_deliveries_due;
CREATE INDEX hookbox_deliveries_due ON hookbox_deliveries (next_attempt_at, message_seq, id) WHERE state = 'pending';
`,
}
