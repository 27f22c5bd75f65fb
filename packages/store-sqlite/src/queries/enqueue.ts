import type { KeyOwnerRow, Plan } from '@hookbox/store-kysely'
import { CompiledQuery } from 'kysely'
import type { SyncExecutor } from '../sync-executor.js'

/** The take-over rule: the holder keeps its key unless it was created before the window. */
const TAKE_OVER = ` ON CONFLICT (tenant, key) DO UPDATE SET
  message_id = CASE WHEN hookbox_idempotency_keys.created_at < ? THEN excluded.message_id ELSE hookbox_idempotency_keys.message_id END,
  request_id = CASE WHEN hookbox_idempotency_keys.created_at < ? THEN excluded.request_id ELSE hookbox_idempotency_keys.request_id END,
  created_at = CASE WHEN hookbox_idempotency_keys.created_at < ? THEN excluded.created_at ELSE hookbox_idempotency_keys.created_at END
RETURNING tenant, key, message_id, request_id`

/**
 * SQLite's part of the shared enqueue: one upsert on (tenant, key) that takes a key over when
 * its holder was created before `since` and returns every key's owner (SQLite serialises
 * writers, so it is atomic).
 */
export function* takeKeys(x: SyncExecutor, keys: Array<Record<string, unknown>>, since: number): Plan<KeyOwnerRow[]> {
  const insert = x.insert('hookbox_idempotency_keys', keys)
  return (yield CompiledQuery.raw(`${insert.sql}${TAKE_OVER}`, [...insert.parameters, since, since, since])).rows as KeyOwnerRow[]
}
