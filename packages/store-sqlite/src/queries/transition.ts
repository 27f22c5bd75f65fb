import type { TransitionRequest } from '@hookbox/core'
import { deliveryFromRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/**
 * Applies core's rule (`apply`) to the deliveries among `ids` in one of `from`, in one
 * IMMEDIATE transaction: reads them (SQLite's write lock holds them), writes each result and
 * clears its lease, so a dispatcher still sending one is fenced off. Returns the ids changed.
 */
export function transitionDeliveries(x: SyncExecutor, request: TransitionRequest): string[] {
  const { ids, from, apply } = request
  if (ids.length === 0 || from.length === 0) return []
  const { qb } = x
  return x.tx(() => {
    const rows = x.all(qb.selectFrom('hookbox_deliveries').selectAll().where('id', 'in', ids).where('state', 'in', from))
    for (const row of rows) {
      const next = apply(deliveryFromRow(row))
      x.run(
        qb
          .updateTable('hookbox_deliveries')
          .set({
            state: next.state,
            attempts: next.attempts,
            next_attempt_at: next.nextAttemptAt,
            window_start: next.windowStart,
            deadline: next.deadline,
            progress: JSON.stringify(next.progress),
            last_error: next.lastError,
            completed_at: next.completedAt,
            updated_at: next.updatedAt,
            lease_owner: null,
            lease_until: null,
            lease_token: null,
          })
          .where('id', '=', row.id),
      )
    }
    const changed = new Set(rows.map((r) => r.id))
    return ids.filter((id) => changed.delete(id))
  })
}
