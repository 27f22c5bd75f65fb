import type { DeleteDeliveriesRequest } from '@hookbox/core'
import type { SyncExecutor } from '../sync-executor.js'

/** Deletes the deliveries among `ids` in one of `states`, with their attempts; returns how many. */
export function deleteDeliveries(x: SyncExecutor, { ids, states }: DeleteDeliveriesRequest): number {
  if (ids.length === 0 || states.length === 0) return 0
  const { qb } = x
  return x.tx(() => {
    const found = x
      .all(qb.selectFrom('hookbox_deliveries').select('id').where('id', 'in', ids).where('state', 'in', states))
      .map((r) => r.id)
    if (found.length === 0) return 0
    x.run(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', found))
    return x.run(qb.deleteFrom('hookbox_deliveries').where('id', 'in', found))
  })
}
