import type { Migration } from '@hookbox/core'

/**
 * Each delivery's end (its policy's, from the start of its schedule), so that a claim takes one
 * held back by a paused or disabled endpoint or a disabled collection once it has come, and the
 * dispatcher ends it. Rows written before stay null: core falls back to the policy's end for
 * them. One statement (MySQL 8 has no `ADD COLUMN IF NOT EXISTS`): it either ran or did not.
 */
export const deliveryDeadlineMigration: Migration = {
  version: 2,
  name: 'delivery deadline',
  sql: (s) => `
ALTER TABLE ${s ? `${s}.hookbox_deliveries` : 'hookbox_deliveries'} ADD COLUMN deadline BIGINT NULL AFTER window_start;
`,
}
