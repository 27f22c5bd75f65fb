import type { DeliveryRecord, MessageRecord } from '@hookbox/core'
import type { HealthRow } from '@hookbox/store-kysely'
import { StoreError } from '@hookbox/core'
import { deliveryAt } from '../rows.js'

/**
 * What the claim's pick returns of each delivery and of its message (see
 * store-kysely's `ClaimSql.columns`), each with its result name (`m_` before the message's, so none
 * repeats): the columns a record is made of and no others. Left out: the lease columns (the
 * claim writes them) and `message_seq` (the join's key). The message's id, tenant and ordering key are the delivery's own (copied from the
 * message when it was expanded; a message never changes), so they are not read twice.
 * `msg.type` is NULL only when the message is gone (the column is NOT NULL). The rowid is
 * the lease's key (see {@link Picked.rowid}). `ep`: the breaker's columns of an `each` delivery's
 * endpoint (`e_id` NULL when it is gone), so the claim needs no statement of its own for them.
 */
export const CLAIM_COLUMNS = [
  ['d', 'rowid', 'rid'],
  ['d', 'id', 'id'],
  ['d', 'message_id', 'message_id'],
  ['d', 'tenant', 'tenant'],
  ['d', 'collection', 'collection'],
  ['d', 'failure_mode', 'failure_mode'],
  ['d', 'endpoint_id', 'endpoint_id'],
  ['d', 'targets', 'targets'],
  ['d', 'progress', 'progress'],
  ['d', 'state', 'state'],
  ['d', 'attempts', 'attempts'],
  ['d', 'next_attempt_at', 'next_attempt_at'],
  ['d', 'window_start', 'window_start'],
  ['d', 'deadline', 'deadline'],
  ['d', 'last_error', 'last_error'],
  ['d', 'ordering_key', 'ordering_key'],
  ['d', 'created_at', 'created_at'],
  ['d', 'updated_at', 'updated_at'],
  ['d', 'completed_at', 'completed_at'],
  ['msg', 'type', 'm_type'],
  ['msg', 'payload', 'm_payload'],
  ['msg', 'request_id', 'm_request_id'],
  ['msg', 'entity_id', 'm_entity_id'],
  ['msg', 'idempotency_key', 'm_idempotency_key'],
  ['msg', 'created_at', 'm_created_at'],
  ['ep', 'id', 'e_id'],
  ['ep', 'paused_until', 'e_paused_until'],
  ['ep', 'failing_since', 'e_failing_since'],
  ['ep', 'updated_at', 'e_updated_at'],
] as const

type Name = (typeof CLAIM_COLUMNS)[number][2]
const NAMES: readonly Name[] = CLAIM_COLUMNS.map((c) => c[2])

/** Where each column is in a row: its name in an object row, its index in an array row. */
export type ClaimPositions = Readonly<Record<Name, string | number>>

/** Positions in an object row. */
export const CLAIM_BY_NAME = Object.fromEntries(NAMES.map((n) => [n, n])) as ClaimPositions

/** The positions of those columns among a statement's result columns. */
export function claimPositions(columns: readonly string[]): ClaimPositions {
  return Object.fromEntries(
    NAMES.map((n) => {
      const i = columns.indexOf(n)
      if (i < 0) throw new StoreError(`hookbox: the claim's row has no column ${n}`)
      return [n, i]
    }),
  ) as ClaimPositions
}

/** A picked row: its delivery, and its message unless that is gone. */
export interface Picked {
  /** The delivery's rowid: the lease, in the pick's transaction, updates by it (no seek through the id's index). */
  rowid: number
  delivery: DeliveryRecord
  message: MessageRecord | undefined
  /** The breaker's columns of its endpoint (`each` mode), unless it has none or it is gone. */
  health: HealthRow | undefined
}

/** The delivery and message of an object row (positions by name) or an array row (by index, see {@link claimPositions}). */
export function pickedAt(row: Readonly<Record<string, unknown>> | readonly unknown[], at: ClaimPositions): Picked {
  const r = row as Readonly<Record<string | number, unknown>>
  const delivery = deliveryAt(row, at)
  const type = r[at.m_type] as string | null
  const message: MessageRecord | undefined =
    type === null
      ? undefined
      : {
          id: delivery.messageId,
          tenant: delivery.tenant,
          type,
          payload: r[at.m_payload] as string,
          requestId: r[at.m_request_id] as string,
          entityId: r[at.m_entity_id] as string | null,
          orderingKey: delivery.orderingKey,
          idempotencyKey: r[at.m_idempotency_key] as string | null,
          createdAt: r[at.m_created_at] as number,
        }
  const endpoint = r[at.e_id] as string | null
  const health: HealthRow | undefined =
    endpoint === null
      ? undefined
      : {
          id: endpoint,
          paused_until: r[at.e_paused_until] as number | null,
          failing_since: r[at.e_failing_since] as number | null,
          updated_at: r[at.e_updated_at] as number,
        }
  return { rowid: r[at.rid] as number, delivery, message, health }
}
