import type { TransitionRequest } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'
import { deliveryFromRow } from '../rows.js'

/**
 * Applies core's rule (`apply`) to the deliveries among `ids` in one of `from`, in one
 * transaction: locks and reads them (`FOR UPDATE`), writes each result and clears its lease,
 * so a dispatcher still sending one is fenced off. Returns the ids changed.
 */
export async function transitionDeliveries(x: MysqlExecutor, request: TransitionRequest): Promise<string[]> {
  const { ids, from, apply } = request
  if (ids.length === 0 || from.length === 0) return []
  return x.tx(async (x) => {
    const { qb } = x
    const rows = await x.all(qb.selectFrom('hookbox_deliveries').selectAll().where('id', 'in', ids).where('state', 'in', from).forUpdate())
    for (const row of rows) {
      const next = apply(deliveryFromRow(row))
      await x.run(
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
