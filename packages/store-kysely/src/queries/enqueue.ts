import {
  planEnqueue,
  tenantFromColumn,
  tenantToColumn,
  type EnqueueOutcome,
  type EnqueueRequest,
  type KeyOwner,
  type MessageRecord,
} from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import type { Plan } from '../plan.js'

const CHUNK = 500
// Well under MySQL's max_allowed_packet (16 MiB on MariaDB, 64 MiB on MySQL 8) for a batch of large payloads.
const CHUNK_BYTES = 4 * 1024 * 1024

/**
 * Writes a batch of messages; run it inside one transaction (the store's or the host's). Core's
 * {@link planEnqueue} drops in-batch repeats and maps key owners to outcomes; the dialect's
 * part is the key statement ({@link KyselyDialect.takeKeys}), which takes a key over only when
 * its holder was created before `idempotencySince` and reports every key's owner. Then the
 * messages that own their key (or have none) are inserted.
 */
export function* enqueueMessages(d: KyselyDialect, request: EnqueueRequest): Plan<EnqueueOutcome[]> {
  const plan = planEnqueue(request.messages)
  const keyed = plan.written.filter((m) => m.idempotencyKey !== null)
  const owners: KeyOwner[] = []
  for (const part of chunks(keyed)) {
    const keys = part.map((m) => ({
      tenant: tenantToColumn(m.tenant),
      key: m.idempotencyKey!,
      message_id: m.id,
      request_id: m.requestId,
      created_at: m.createdAt,
    }))
    for (const row of yield* d.takeKeys(keys, request.idempotencySince))
      owners.push({
        tenant: tenantFromColumn(String(row.tenant)),
        key: String(row.key),
        messageId: String(row.message_id),
        requestId: String(row.request_id),
      })
  }
  for (const part of chunks(plan.toInsert(owners))) yield d.insert('hookbox_messages', part.map(d.rows.messageToRow))
  return plan.outcomes(owners)
}

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
