import type { Completion } from '@hookbox/core'
import { sql, type Kysely } from 'kysely'
import { fromAttempt, storable } from '../rows.js'

/**
 * Writes a batch of outcomes in ONE statement. Each delivery is updated only while its lease
 * token still matches (fencing: a dispatcher whose lease expired and was taken over changes
 * nothing), and its lease is cleared. Attempts are logged either way (idempotent on their id,
 * so a retried write-back does not log twice). Endpoints listed in `disableEndpoints` are
 * disabled with their reason.
 */
export async function completeDeliveries(db: Kysely<any>, schema: string, completions: Completion[]): Promise<void> {
  if (completions.length === 0) return
  const t = (name: string) => sql.table(`${schema}.${name}`)
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
  const attempts = completions.flatMap((c) => c.attemptLog.map(fromAttempt))
  const disable = completions.flatMap((c) => c.disableEndpoints.map((d) => ({ id: d.id, reason: storable(d.reason), at: c.updatedAt })))
  await sql`
    WITH outcome AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb) AS x(delivery_id text, lease_token text, state text,
        attempts integer, next_attempt_at bigint, progress jsonb, last_error text, completed_at bigint, updated_at bigint)
    ),
    updated AS (
      UPDATE ${t('deliveries')} d SET state = o.state, attempts = o.attempts, next_attempt_at = o.next_attempt_at,
        progress = o.progress, last_error = o.last_error, completed_at = o.completed_at,
        updated_at = coalesce(o.updated_at, d.updated_at), lease_owner = NULL, lease_until = NULL, lease_token = NULL
      FROM outcome o WHERE d.id = o.delivery_id AND d.lease_token = o.lease_token
      RETURNING 1
    ),
    logged AS (
      INSERT INTO ${t('attempts')} (id, delivery_id, endpoint_id, round, url, started_at, latency_ms, status_code, outcome, error, response_snippet)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) AS a(id text, delivery_id text, endpoint_id text,
        round integer, url text, started_at bigint, latency_ms integer, status_code integer, outcome text, error text, response_snippet text)
      ON CONFLICT (id) DO NOTHING
      RETURNING 1
    ),
    disabled AS (
      UPDATE ${t('endpoints')} e SET enabled = false, disabled_reason = x.reason, updated_at = coalesce(x.at, e.updated_at)
      FROM jsonb_to_recordset(${JSON.stringify(disable)}::jsonb) AS x(id text, reason text, at bigint)
      WHERE e.id = x.id
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM updated) AS updated, (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM disabled) AS disabled`.execute(db)
}
