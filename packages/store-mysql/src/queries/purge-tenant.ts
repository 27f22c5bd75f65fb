import type { TenantPurgeCounts } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'

/**
 * Removes everything of one tenant in one transaction, through the tenant indexes: attempts,
 * deliveries, idempotency keys, messages, results, endpoints and its state row.
 */
export async function purgeTenant(x: MysqlExecutor, { tenant }: { tenant: string }): Promise<TenantPurgeCounts> {
  return x.tx(async (x) => {
    const { qb } = x
    const attempts = await x.run(qb.deleteFrom('hookbox_attempts').where('tenant', '=', tenant))
    const deliveries = await x.run(qb.deleteFrom('hookbox_deliveries').where('tenant', '=', tenant))
    await x.run(qb.deleteFrom('hookbox_idempotency_keys').where('tenant', '=', tenant))
    const messages = await x.run(qb.deleteFrom('hookbox_messages').where('tenant', '=', tenant))
    const results = await x.run(qb.deleteFrom('hookbox_results').where('tenant', '=', tenant))
    const endpoints = await x.run(qb.deleteFrom('hookbox_endpoints').where('tenant', '=', tenant))
    await x.run(qb.deleteFrom('hookbox_tenants').where('tenant', '=', tenant))
    return { endpoints, messages, deliveries, attempts, results }
  })
}
