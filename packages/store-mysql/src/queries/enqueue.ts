import {
  planEnqueue,
  tenantFromColumn,
  tenantToColumn,
  type EnqueueOutcome,
  type EnqueueRequest,
  type KeyOwner,
  type MessageRecord,
  type SqlResult,
} from '@hookbox/core'
import { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { messageToRow } from '../rows.js'

/** Runs one compiled statement on the store's connection or through the host's transaction. */
export type Run = (query: CompiledQuery) => Promise<SqlResult>

const CHUNK = 500
// Well under max_allowed_packet (16 MiB on MariaDB, 64 MiB on MySQL 8) for a batch of large payloads.
const CHUNK_BYTES = 4 * 1024 * 1024

/**
 * Writes a batch of messages. Core's {@link planEnqueue} drops in-batch repeats and maps key
 * owners to outcomes; the store's part is the key statement: an upsert on (tenant, key) that takes a key over
 * when its holder was created before `idempotencySince` (the row lock it takes makes a
 * concurrent writer of the same key wait for this transaction), then a locking read of every
 * key's owner (MariaDB has no RETURNING on an upsert, MySQL none at all; a locking read sees the
 * latest committed row even in the host's REPEATABLE READ snapshot). Then the messages that
 * own their key (or have none) are inserted. Run inside one transaction.
 */
export async function enqueueMessages(x: MysqlExecutor, run: Run, request: EnqueueRequest): Promise<EnqueueOutcome[]> {
  const plan = planEnqueue(request.messages)
  const keyed = plan.written.filter((m) => m.idempotencyKey !== null)
  const owners: KeyOwner[] = []
  for (const part of chunks(keyed)) {
    const insert = x.insert(
      'hookbox_idempotency_keys',
      part.map((m) => ({
        tenant: tenantToColumn(m.tenant),
        key: m.idempotencyKey,
        message_id: m.id,
        request_id: m.requestId,
        created_at: m.createdAt,
      })),
    )
    const since = request.idempotencySince
    await run(CompiledQuery.raw(`${insert.sql}${TAKE_OVER}`, [...insert.parameters, since, since, since]))
    const read = x.qb
      .selectFrom('hookbox_idempotency_keys')
      .select(['tenant', 'key', 'message_id', 'request_id'])
      .where((w) => w.or(part.map((m) => w.and([w('tenant', '=', tenantToColumn(m.tenant)), w('key', '=', m.idempotencyKey!)]))))
      .forUpdate()
      .compile()
    for (const row of (await run(read)).rows)
      owners.push({
        tenant: tenantFromColumn(String(row.tenant)),
        key: String(row.key),
        messageId: String(row.message_id),
        requestId: String(row.request_id),
      })
  }
  for (const part of chunks(plan.toInsert(owners))) await run(x.insert('hookbox_messages', part.map(messageToRow)))
  return plan.outcomes(owners)
}

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

/** Slices a batch into chunks of at most {@link CHUNK} rows and about {@link CHUNK_BYTES} of payload. */
function chunks(messages: MessageRecord[]): MessageRecord[][] {
  const parts: MessageRecord[][] = []
  let part: MessageRecord[] = []
  let bytes = 0
  for (const m of messages) {
    if (part.length === CHUNK || (part.length > 0 && bytes + m.payload.length > CHUNK_BYTES)) {
      parts.push(part)
      part = []
      bytes = 0
    }
    part.push(m)
    bytes += m.payload.length
  }
  if (part.length) parts.push(part)
  return parts
}
