import type { KeyOwnerRow, Plan } from '@hookbox/store-kysely'
import { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'

/**
 * The take-over rule: the holder keeps its key unless it was created before the window.
 * MySQL assigns left to right, each later expression seeing the columns set before it, so
 * `created_at` is set last. `VALUES(col)` is deprecated on MySQL 8.0.20+ (it warns) but is
 * the form both MySQL and MariaDB accept.
 */
const TAKE_OVER = ` ON DUPLICATE KEY UPDATE
  message_id = IF(created_at < ?, VALUES(message_id), message_id),
  request_id = IF(created_at < ?, VALUES(request_id), request_id),
  created_at = IF(created_at < ?, VALUES(created_at), created_at)`

/**
 * MySQL's part of the shared enqueue: an upsert on (tenant, key) that takes a key over when its
 * holder was created before `since` (the row lock it takes makes a concurrent writer of the
 * same key wait for this transaction), then a locking read of every key's owner (MariaDB has
 * no RETURNING on an upsert, MySQL none at all; a locking read sees the latest committed row
 * even in the host's REPEATABLE READ snapshot).
 */
export function* takeKeys(
  x: MysqlExecutor,
  keys: Array<{ tenant: string; key: string } & Record<string, unknown>>,
  since: number,
): Plan<KeyOwnerRow[]> {
  const insert = x.insert('hookbox_idempotency_keys', keys)
  yield CompiledQuery.raw(`${insert.sql}${TAKE_OVER}`, [...insert.parameters, since, since, since])
  const read = x.qb
    .selectFrom('hookbox_idempotency_keys')
    .select(['tenant', 'key', 'message_id', 'request_id'])
    .where((w) => w.or(keys.map((k) => w.and([w('tenant', '=', k.tenant), w('key', '=', k.key)]))))
    .forUpdate()
    .compile()
  return (yield read).rows as KeyOwnerRow[]
}
