import type { ClaimRequest, ClaimResult, EndpointHealthColumns } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { deliveryFromRow, messageFromRow, toMs, toMsOrNull, type DeliveryRecordColumns } from '../rows.js'

type Int8 = string | number
type ClaimRow = DeliveryRecordColumns & {
  lease_token: string
  m_type: string
  m_payload: string
  m_entity_id: string | null
  m_idempotency_key: string | null
  m_created_at: Int8
  /** The target of an `each` delivery (null when it is gone, or for `majority`). */
  e_id: string | null
  e_paused_until: Int8 | null
  e_failing_since: Int8 | null
  e_updated_at: Int8 | null
  /** The targets of a `majority` delivery that still exist (null for `each`, or none left). */
  h_ids: string[] | null
  h_paused_until: Array<Int8 | null> | null
  h_failing_since: Array<Int8 | null> | null
  h_updated_at: Int8[] | null
  config_version: Int8
}

/**
 * Leases due deliveries in ONE call of the `claim_plain` function (migration 10, whose plan
 * each connection keeps): picks them by next attempt, message sequence, then id with
 * `FOR UPDATE SKIP LOCKED` (dispatchers never wait for each other), stamps owner, expiry and a
 * fresh fencing token, and returns each with its message and the breaker's columns of the
 * targets that still exist, in plain columns, with the config version of the same statement.
 *
 * Skipped (the same clauses in every store, each pinned by the conformance suite): deliveries
 * leased by someone else until later; deliveries of a collection that is disabled or gone;
 * `each` deliveries to an endpoint in `skipEndpoints`, disabled, or paused at `now`; and, for
 * an ordering key, any delivery behind a still-pending one with the same key, collection and
 * endpoint from an earlier message, or behind an earlier message with that key not yet expanded
 * (keys are the tenant's); deliveries of a disabled tenant.
 * One held back by its (disabled) collection or tenant or its (disabled, paused) endpoint is taken all the
 * same once its `deadline` has come, so the dispatcher can end it.
 */
export async function claimDeliveries(x: PostgresExecutor, o: ClaimRequest): Promise<ClaimResult> {
  const rows = await x.rows<ClaimRow>(
    sql`SELECT ${CLAIM_COLUMNS} FROM ${sql.id(x.schema)}.claim_plain(${o.now}::bigint, ${o.limit}::integer, ${o.now + o.leaseMs}::bigint, ${o.owner}::text, ${o.skipEndpoints ?? []}::text[])`,
  )
  if (rows.length === 0) return { leased: [] }
  const leased = rows.map((r) => ({
    delivery: deliveryFromRow(r),
    // The delivery copies the message's id, tenant, sequence, request id and ordering key.
    message: messageFromRow({
      id: r.message_id,
      tenant: r.tenant,
      type: r.m_type,
      payload: r.m_payload,
      request_id: r.request_id,
      entity_id: r.m_entity_id,
      ordering_key: r.ordering_key,
      idempotency_key: r.m_idempotency_key,
      created_at: r.m_created_at,
    }),
    leaseToken: r.lease_token,
    health: healthOf(r),
  }))
  return { leased, configVersion: toMs(rows[0]!.config_version) }
}

/**
 * The columns of the claim's result that make its records: not the lease's owner and expiry nor
 * the message's `seq`. pg turns each column of each row into a string and runs its type's parser
 * (int8's tests a regular expression), so a claimed delivery costs the dispatcher per column.
 */
const CLAIM_COLUMNS = sql.raw(
  [
    'tenant, id, message_id, request_id, collection, failure_mode, endpoint_id, targets, progress, state, attempts',
    'next_attempt_at, window_start, deadline, last_error, ordering_key, created_at, updated_at, completed_at, lease_token',
    'm_type, m_payload, m_entity_id, m_idempotency_key, m_created_at, e_id, e_paused_until, e_failing_since, e_updated_at',
    'h_ids, h_paused_until, h_failing_since, h_updated_at, config_version',
  ].join(', '),
)

/** The breaker's columns of a claimed row's targets: one joined endpoint, or the arrays. */
function healthOf(r: ClaimRow): EndpointHealthColumns[] {
  if (r.e_id !== null)
    return [
      {
        id: r.e_id,
        pausedUntil: toMsOrNull(r.e_paused_until),
        failingSince: toMsOrNull(r.e_failing_since),
        updatedAt: toMs(r.e_updated_at!),
      },
    ]
  return (r.h_ids ?? []).map((id, i) => ({
    id,
    pausedUntil: toMsOrNull(r.h_paused_until![i]),
    failingSince: toMsOrNull(r.h_failing_since![i]),
    updatedAt: toMs(r.h_updated_at![i]!),
  }))
}
