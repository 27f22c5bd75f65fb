import type { Completion } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { attemptToRow, storable } from '../rows.js'

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
  const outcomes = completions.map((c) => ({
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
    c.disableEndpoints.map((d) => ({ delivery_id: c.deliveryId, id: d.id, reason: storable(d.reason), at: c.updatedAt })),
  )
  // The ids again as an array: `d.id = ANY(…)` lets the planner fetch the batch through the
  // primary key. With only the join on the recordset (estimated at 100 rows) it hash-joins
  // against a sequential scan of deliveries while the table is small enough to look cheap,
  // which costs milliseconds per batch at tens of thousands of rows.
  const ids = completions.map((c) => c.deliveryId)
  // Only a batch with endpoints to disable carries that update: every table a statement
  // modifies costs it the opening of that table and its indexes (about 45 µs a write-back).
  const disabling =
    disable.length === 0
      ? sql``
      : sql`,
    disabled AS (
      UPDATE ${t('endpoints')} e SET enabled = false, disabled_reason = x.reason, updated_at = coalesce(x.at, e.updated_at)
      FROM json_to_recordset(${JSON.stringify(disable)}::json) AS x(delivery_id text, id text, reason text, at bigint)
      JOIN updated u ON u.id = x.delivery_id
      WHERE e.id = x.id
      RETURNING 1
    )`
  // The documents go in as json, not jsonb: each is read once, and json input does not build
  // (and key-sort) a jsonb tree first (4-6% less server CPU per write-back).
  // Data-modifying CTEs all run whatever the final SELECT reads; it only reports the updated ids.
  const rows = await x.rows<{ id: string }>(sql`
    WITH outcome AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(outcomes)}::json) AS x(delivery_id text, lease_token text, state text,
        attempts integer, next_attempt_at bigint, progress jsonb, last_error text, completed_at bigint, updated_at bigint)
    ),
    updated AS (
      UPDATE ${t('deliveries')} d SET state = o.state, attempts = o.attempts, next_attempt_at = o.next_attempt_at,
        progress = o.progress, last_error = o.last_error, completed_at = o.completed_at,
        updated_at = coalesce(o.updated_at, d.updated_at), lease_owner = NULL, lease_until = NULL, lease_token = NULL
      FROM outcome o WHERE d.id = ANY(${ids}::text[]) AND d.id = o.delivery_id AND d.lease_token = o.lease_token
      RETURNING d.id
    ),
    logged AS (
      INSERT INTO ${t('attempts')} (id, delivery_id, endpoint_id, round, url, started_at, latency_ms, status_code, outcome, error, response_snippet, tenant)
      SELECT * FROM json_to_recordset(${JSON.stringify(attempts)}::json) AS a(id text, delivery_id text, endpoint_id text,
        round integer, url text, started_at bigint, latency_ms integer, status_code integer, outcome text, error text, response_snippet text,
        tenant text)
      ON CONFLICT (id) DO NOTHING
      RETURNING 1
    )${disabling}
    SELECT id FROM updated`)
  const applied = new Set(rows.map((r) => r.id))
  // Each id once, in the order of the batch (a set deletes as it goes).
  return completions.map((c) => c.deliveryId).filter((id) => applied.delete(id))
}
