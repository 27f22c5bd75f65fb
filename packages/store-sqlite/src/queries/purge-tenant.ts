import type { TenantPurgeCounts } from '@hookbox/core'
import { CompiledQuery } from 'kysely'
import type { SyncExecutor } from '../sync-executor.js'
import { inTenantBlocks } from '../tenant-blocks.js'

/**
 * Removes everything of one tenant in one IMMEDIATE transaction, through the tenant indexes:
 * attempts, deliveries, idempotency keys, messages, results, endpoints and its state row.
 */
export function purgeTenant(x: SyncExecutor, { tenant }: { tenant: string }): TenantPurgeCounts {
  const { qb } = x
  return x.tx(() => {
    const attempts = x.run(qb.deleteFrom('hookbox_attempts').where('tenant', '=', tenant))
    const deliveries = x.run(CompiledQuery.raw(DELETE_DELIVERIES, [tenant]))
    x.run(qb.deleteFrom('hookbox_idempotency_keys').where('tenant', '=', tenant))
    const messages = x.run(CompiledQuery.raw(DELETE_MESSAGES, [tenant]))
    const results = x.run(qb.deleteFrom('hookbox_results').where('tenant', '=', tenant))
    const endpoints = x.run(qb.deleteFrom('hookbox_endpoints').where('tenant', '=', tenant))
    x.run(qb.deleteFrom('hookbox_tenants').where('tenant', '=', tenant))
    return { endpoints, messages, deliveries, attempts, results }
  })
}

/** A tenant's messages, block by block through `hookbox_messages_tenant_block` (migration 9). */
export const DELETE_MESSAGES = `DELETE FROM hookbox_messages WHERE ${inTenantBlocks('hookbox_messages')} AND tenant = ?`

/** A tenant's deliveries, block by block through `hookbox_deliveries_tenant_block` (migration 10). */
export const DELETE_DELIVERIES = `DELETE FROM hookbox_deliveries WHERE ${inTenantBlocks('hookbox_deliveries')} AND tenant = ?`
