import type { Completion } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { attemptToRow, storable } from '../rows.js'
import { unnestRows, type UnnestColumn } from './unnest.js'

interface Outcome {
  delivery_id: string
  lease_token: string
  state: string
  attempts: number
  next_attempt_at: number | null
  progress: unknown
  last_error: string | null
  completed_at: number | null
  updated_at: number | null
}

const OUTCOME_COLUMNS: ReadonlyArray<UnnestColumn<Outcome>> = [
  ['delivery_id', 'text'],
  ['lease_token', 'text'],
  ['state', 'text'],
  ['attempts', 'integer'],
  ['next_attempt_at', 'bigint'],
  ['progress', 'jsonb'],
  ['last_error', 'text'],
  ['completed_at', 'bigint'],
  ['updated_at', 'bigint'],
]

const ATTEMPT_COLUMNS: ReadonlyArray<UnnestColumn<ReturnType<typeof attemptToRow>>> = [
  ['id', 'text'],
  ['delivery_id', 'text'],
  ['endpoint_id', 'text'],
  ['round', 'integer'],
  ['url', 'text'],
  ['started_at', 'bigint'],
  ['latency_ms', 'integer'],
  ['status_code', 'integer'],
  ['outcome', 'text'],
  ['error', 'text'],
  ['response_snippet', 'text'],
  ['tenant', 'text'],
]

interface Disable {
  delivery_id: string
  id: string
  reason: string | null
  at: number | null
}

const DISABLE_COLUMNS: ReadonlyArray<UnnestColumn<Disable>> = [
  ['delivery_id', 'text'],
  ['id', 'text'],
  ['reason', 'text'],
  ['at', 'bigint'],
]

/**
 * Writes a batch of outcomes in ONE statement. Each delivery is updated only while its lease
 * token still matches (fencing: a dispatcher whose lease expired and was taken over changes
 * nothing), and its lease is cleared. Attempts are logged either way (idempotent on their id,
 * so a retried write-back does not log twice). Endpoints listed in a completion's
 * `disableEndpoints` are disabled with their reason only when that completion's update applied:
 * a stale dispatcher's late 410 must not disable an endpoint. Returns the ids of the deliveries
 * updated, in the order of `completions`.
 */
export async function completeDeliveries(x: PostgresExecutor, completions: Completion[]): Promise<string[]> {
  if (completions.length === 0) return []
  const t = (name: string) => x.t(name)
  const outcomes = completions.map((c): Outcome => ({
    delivery_id: c.deliveryId,
    lease_token: c.leaseToken,
    state: c.state,
    attempts: c.attempts,
    next_attempt_at: c.nextAttemptAt,
    progress: c.progress,
    last_error: storable(c.lastError),
    completed_at: c.completedAt,
    updated_at: c.updatedAt,
  }))
  const attempts = completions.flatMap((c) => c.attemptLog.map(attemptToRow))
  const disable = completions.flatMap((c) =>
    c.disableEndpoints.map((d): Disable => ({ delivery_id: c.deliveryId, id: d.id, reason: storable(d.reason), at: c.updatedAt })),
  )
  // The ids again as an array: `d.id = ANY(…)` lets the planner fetch the batch through the
  // primary key. With only the join on the recordset (estimated at 100 rows) it hash-joins
  // against a sequential scan of deliveries while the table is small enough to look cheap,
  // which costs milliseconds per batch at tens of thousands of rows.
  const ids = completions.map((c) => c.deliveryId)
  // One typed array per column (see unnestRows); data-modifying CTEs all run whatever the
  // final SELECT reads, and it only reports the updated ids.
  const rows = await x.rows<{ id: string }>(sql`
    WITH outcome AS (SELECT * FROM ${unnestRows(outcomes, OUTCOME_COLUMNS, 'x')}),
    updated AS (
      UPDATE ${t('deliveries')} d SET state = o.state, attempts = o.attempts, next_attempt_at = o.next_attempt_at,
        progress = o.progress, last_error = o.last_error, completed_at = o.completed_at,
        updated_at = coalesce(o.updated_at, d.updated_at), lease_owner = NULL, lease_until = NULL, lease_token = NULL
      FROM outcome o WHERE d.id = ANY(${ids}::text[]) AND d.id = o.delivery_id AND d.lease_token = o.lease_token
      RETURNING d.id
    ),
    logged AS (
      INSERT INTO ${t('attempts')} (${sql.raw(ATTEMPT_COLUMNS.map(([name]) => name).join(', '))})
      SELECT * FROM ${unnestRows(attempts, ATTEMPT_COLUMNS, 'a')}
      ON CONFLICT (id) DO NOTHING
      RETURNING 1
    ),
    disabled AS (
      UPDATE ${t('endpoints')} e SET enabled = false, disabled_reason = x.reason, updated_at = coalesce(x.at, e.updated_at)
      FROM ${unnestRows(disable, DISABLE_COLUMNS, 'x')}
      JOIN updated u ON u.id = x.delivery_id
      WHERE e.id = x.id
      RETURNING 1
    )
    SELECT id FROM updated`)
  const applied = new Set(rows.map((r) => r.id))
  // Each id once, in the order of the batch (a set deletes as it goes).
  return completions.map((c) => c.deliveryId).filter((id) => applied.delete(id))
}
