import {
  andThen,
  planEnqueue,
  tenantFromColumn,
  tenantToColumn,
  type EnqueueOutcome,
  type EnqueueRequest,
  type KeyOwner,
  type SqlResult,
} from '@hookbox/core'
import { CompiledQuery } from 'kysely'
import { messageToRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/** Runs one compiled statement on the store's connection or through the host's transaction. */
export type Run = (query: CompiledQuery) => SqlResult | Promise<SqlResult>

const CHUNK = 500

/**
 * Writes a batch of messages, synchronously when `run` is. Core's {@link planEnqueue} drops
 * in-batch repeats and maps key owners to outcomes; the store's part is the key statement: an
 * upsert on (tenant, key) that takes a key over when its holder was created before `idempotencySince` and
 * returns every key's owner (SQLite serialises writers, so it is atomic). Then the messages
 * that own their key (or have none) are inserted.
 */
export function enqueueMessages(x: SyncExecutor, run: Run, request: EnqueueRequest): EnqueueOutcome[] | Promise<EnqueueOutcome[]> {
  const plan = planEnqueue(request.messages)
  const keyed = plan.written.filter((m) => m.idempotencyKey !== null)
  const owners: KeyOwner[] = []
  const keys = chunks(keyed, (part) => {
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
    const query = CompiledQuery.raw(`${insert.sql}${TAKE_OVER}`, [...insert.parameters, since, since, since])
    return andThen(run(query), (r) => {
      for (const row of r.rows)
        owners.push({
          tenant: tenantFromColumn(String(row.tenant)),
          key: String(row.key),
          messageId: String(row.message_id),
          requestId: String(row.request_id),
        })
    })
  })
  return andThen(keys, () =>
    andThen(
      chunks(plan.toInsert(owners), (part) => run(x.insert('hookbox_messages', part.map(messageToRow)))),
      () => plan.outcomes(owners),
    ),
  )
}

/** The take-over rule: the holder keeps its key unless it was created before the window. */
const TAKE_OVER = ` ON CONFLICT (tenant, key) DO UPDATE SET
  message_id = CASE WHEN hookbox_idempotency_keys.created_at < ? THEN excluded.message_id ELSE hookbox_idempotency_keys.message_id END,
  request_id = CASE WHEN hookbox_idempotency_keys.created_at < ? THEN excluded.request_id ELSE hookbox_idempotency_keys.request_id END,
  created_at = CASE WHEN hookbox_idempotency_keys.created_at < ? THEN excluded.created_at ELSE hookbox_idempotency_keys.created_at END
RETURNING tenant, key, message_id, request_id`

/** Runs `step` on each chunk in turn, synchronously while the steps are. */
function chunks<T>(items: T[], step: (part: T[]) => unknown): unknown {
  let done: unknown = undefined
  for (let i = 0; i < items.length; i += CHUNK) {
    const part = items.slice(i, i + CHUNK)
    done = andThen(done, () => step(part))
  }
  return done
}
