import type { TenantPurgeCounts } from '@hookbox/core'
import type { SyncExecutor } from '../sync-executor.js'

/**
 * Removes everything of one tenant in one IMMEDIATE transaction, through the tenant indexes:
 * attempts, deliveries, idempotency keys, messages, results, endpoints and its state row.
 */
export function purgeTenant(x: SyncExecutor, { tenant }: { tenant: string }): TenantPurgeCounts {
  const { qb } = x
  return x.tx(() => {
    const attempts = x.run(qb.deleteFrom('hookbox_attempts').where('tenant', '=', tenant))
    const deliveries = x.run(qb.deleteFrom('hookbox_deliveries').where('tenant', '=', tenant))
    x.run(qb.deleteFrom('hookbox_idempotency_keys').where('tenant', '=', tenant))
    const messages = x.run(qb.deleteFrom('hookbox_messages').where('tenant', '=', tenant))
    const results = x.run(qb.deleteFrom('hookbox_results').where('tenant', '=', tenant))
    const endpoints = x.run(qb.deleteFrom('hookbox_endpoints').where('tenant', '=', tenant))
    x.run(qb.deleteFrom('hookbox_tenants').where('tenant', '=', tenant))
    return { endpoints, messages, deliveries, attempts, results }
  })
}
