import type { TransitionRequest } from '@hookbox/core'
import { sql, type Selectable } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { deliveryFromRow, storable } from '../rows.js'
import type { DeliveriesTable } from '../schema.js'

/**
 * Applies core's rule (`apply`) to the deliveries among `ids` in one of `from`, in one
 * transaction: locks them (`FOR UPDATE`), writes each result in one statement and clears its
 * lease, so a dispatcher still sending one is fenced off. Returns the ids changed.
 */
export async function transitionDeliveries(x: PostgresExecutor, request: TransitionRequest): Promise<string[]> {
  const { ids, from, apply } = request
  if (ids.length === 0 || from.length === 0) return []
  return x.transaction(async (trx) => {
    const rows = await x.rows<Selectable<DeliveriesTable>>(
      sql`SELECT * FROM ${x.t('deliveries')} WHERE id = ANY(${ids}::text[]) AND state = ANY(${from}::text[]) ORDER BY id FOR UPDATE`,
      trx,
    )
    if (rows.length === 0) return []
    const next = rows.map((r) => {
      const d = apply(deliveryFromRow(r))
      return {
        id: r.id,
        state: d.state,
        attempts: d.attempts,
        next_attempt_at: d.nextAttemptAt,
        window_start: d.windowStart,
        deadline: d.deadline,
        progress: d.progress,
        last_error: storable(d.lastError),
        completed_at: d.completedAt,
        updated_at: d.updatedAt,
      }
    })
    await x.rows(
      sql`
      UPDATE ${x.t('deliveries')} d SET state = n.state, attempts = n.attempts, next_attempt_at = n.next_attempt_at,
        window_start = n.window_start, deadline = n.deadline, progress = n.progress, last_error = n.last_error, completed_at = n.completed_at,
        updated_at = n.updated_at, lease_owner = NULL, lease_until = NULL, lease_token = NULL
      FROM jsonb_to_recordset(${JSON.stringify(next)}::jsonb) AS n(id text, state text, attempts integer, next_attempt_at bigint,
        window_start bigint, deadline bigint, progress jsonb, last_error text, completed_at bigint, updated_at bigint)
      WHERE d.id = n.id`,
      trx,
    )
    const changed = new Set(rows.map((r) => r.id))
    return ids.filter((id) => changed.delete(id))
  })
}
