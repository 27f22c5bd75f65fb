import type { DeleteDeliveriesRequest } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { changes, rows, type MaybePromise, type Plan } from '../plan.js'

/** Deletes the deliveries among `ids` in one of `states`, with their attempts, in one transaction; returns how many. */
export function deleteDeliveries(d: KyselyDialect, request: DeleteDeliveriesRequest): MaybePromise<number> {
  if (request.ids.length === 0 || request.states.length === 0) return 0
  return d.transaction(deletePlan(d, request))
}

function* deletePlan(d: KyselyDialect, { ids, states }: DeleteDeliveriesRequest): Plan<number> {
  const { qb } = d
  const found = (yield* rows(
    d.lock(qb.selectFrom('hookbox_deliveries').select('id').where('id', 'in', ids).where('state', 'in', states)),
  )).map((r) => r.id)
  if (found.length === 0) return 0
  yield* changes(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', found))
  return yield* changes(qb.deleteFrom('hookbox_deliveries').where('id', 'in', found))
}
