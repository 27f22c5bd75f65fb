import type { Migration } from '@hookbox/core'

/**
 * Idempotency keys move to their own table, as in every store: one row per key naming the
 * message that holds it, taken over atomically once the holder is older than the window. The
 * keys messages hold today are carried over; the unique index on messages goes, so a key can
 * pass to a newer message while the old one is still kept.
 */
export const idempotencyKeysMigration: Migration = {
  version: 3,
  name: 'idempotency keys',
  sql: () => `
CREATE TABLE hookbox_idempotency_keys (
  key TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO hookbox_idempotency_keys (key, message_id, request_id, created_at)
  SELECT idempotency_key, id, request_id, created_at FROM hookbox_messages WHERE idempotency_key IS NOT NULL;
DROP INDEX hookbox_messages_idempotency;
`,
}
