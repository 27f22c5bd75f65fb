import type { DeleteDeliveriesRequest } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'

/** Deletes the deliveries among `ids` in one of `states`, with their attempts; returns how many. */
export async function deleteDeliveries(x: MysqlExecutor, { ids, states }: DeleteDeliveriesRequest): Promise<number> {
  if (ids.length === 0 || states.length === 0) return 0
  return x.tx(async (x) => {
    const { qb } = x
    const found = (
      await x.all(qb.selectFrom('hookbox_deliveries').select('id').where('id', 'in', ids).where('state', 'in', states).forUpdate())
    ).map((r) => r.id)
    if (found.length === 0) return 0
    await x.run(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', found))
    return x.run(qb.deleteFrom('hookbox_deliveries').where('id', 'in', found))
  })
}
