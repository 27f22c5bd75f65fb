import type { Migration } from '@hookbox/core'

/**
 * The configuration version is bumped once per transaction, not once per row written. Every
 * bump leaves a dead row version that no one can prune while the writing transaction is open,
 * so a bulk write of 10,000 tenants' endpoints grew the one-row table to 109 pages, and every
 * claim and expansion read all of them until vacuum came by (issue 16). A reader never sees a
 * transaction's writes before its commit, so one bump per transaction is as good as one per
 * row: the row remembers which transaction bumped it last.
 */
export const configVersionOnceMigration: Migration = {
  version: 15,
  name: 'config version once per transaction',
  sql: (s) => `
ALTER TABLE ${s}.config_version ADD COLUMN IF NOT EXISTS bumped_by bigint;
CREATE OR REPLACE FUNCTION ${s}.bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $bump$
BEGIN
  UPDATE ${s}.config_version SET version = version + 1, bumped_by = txid_current()
    WHERE bumped_by IS DISTINCT FROM txid_current();
  RETURN NULL;
END
$bump$;
`,
}
