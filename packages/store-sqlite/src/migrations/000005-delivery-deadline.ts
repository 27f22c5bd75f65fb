import type { Migration } from '@hookbox/core'

/**
 * Each delivery's end (its policy's, from the start of its schedule), so that a claim takes one
 * held back by a paused or disabled endpoint or a disabled collection once it has come, and the
 * dispatcher ends it. Rows written before stay null: core falls back to the policy's end for them.
 */
export const deliveryDeadlineMigration: Migration = {
  version: 5,
  name: 'delivery deadline',
  sql: () => `
ALTER TABLE hookbox_deliveries ADD COLUMN deadline INTEGER;
`,
}
