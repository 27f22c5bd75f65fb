import type { TransitionRequest } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { changes, rows, type MaybePromise, type Plan } from '../plan.js'

/**
 * Applies core's rule (`apply`) to the deliveries among `ids` in one of `from`, in one
 * transaction: locks and reads them, writes each result and clears its lease, so a dispatcher
 * still sending one is fenced off. Returns the ids changed.
 */
export function transitionDeliveries(d: KyselyDialect, request: TransitionRequest): MaybePromise<string[]> {
  if (request.ids.length === 0 || request.from.length === 0) return []
  return d.transaction(transitionPlan(d, request))
}

function* transitionPlan(d: KyselyDialect, { ids, from, apply }: TransitionRequest): Plan<string[]> {
  const { qb } = d
  const found = yield* rows(d.lock(qb.selectFrom('hookbox_deliveries').selectAll().where('id', 'in', ids).where('state', 'in', from)))
  for (const row of found) {
    const next = apply(d.rows.deliveryFromRow(row))
    yield* changes(
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
  const changed = new Set(found.map((r) => r.id))
  return ids.filter((id) => changed.delete(id))
}
