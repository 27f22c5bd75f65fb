import type { Migration } from '@hookbox/core'

/**
 * Less index work per delivery on the hot path (issue 16):
 *
 * - `deliveries` pages keep half their room free (was 80% full). A claim leases a run of
 *   neighbouring rows (they were inserted together) in one statement, and a lease (owner,
 *   expiry, token: no indexed column) is a HOT update only while the new version fits on the
 *   row's page; at 80% only about one row in five of a page found room, so most leases wrote
 *   a new entry in each of the table's eight indexes. At 50% every row of a page can be leased
 *   in place. It applies to pages written from now on.
 * - `deliveries_state_id (state, id)` leaves out `delivered` rows: the delivered write-back is
 *   never HOT (its state leaves `deliveries_due`), so each index costs one insert per delivery,
 *   and this one served only the dead and failed counts and listings by state, which need no
 *   `delivered` entry (a listing of delivered rows walks the primary key or the tenant index,
 *   where nearly every row matches).
 */
export const writeBackIndexesMigration: Migration = {
  version: 13,
  name: 'write-back indexes',
  sql: (s) => `
ALTER TABLE ${s}.deliveries SET (fillfactor = 50);
DROP INDEX IF EXISTS ${s}.deliveries_state_id;
CREATE INDEX deliveries_state_id ON ${s}.deliveries (state, id) WHERE state <> 'delivered';
`,
}
