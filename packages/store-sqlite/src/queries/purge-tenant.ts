import type { TenantPurgeCounts } from '@hookbox/core'
import { CompiledQuery } from 'kysely'
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
    const messages = x.run(CompiledQuery.raw(DELETE_MESSAGES, [tenant]))
    const results = x.run(qb.deleteFrom('hookbox_results').where('tenant', '=', tenant))
    const endpoints = x.run(qb.deleteFrom('hookbox_endpoints').where('tenant', '=', tenant))
    x.run(qb.deleteFrom('hookbox_tenants').where('tenant', '=', tenant))
    return { endpoints, messages, deliveries, attempts, results }
  })
}

/**
 * The messages' tenant index leads with the block of 4,096 sequence numbers (migration 9, so
 * spread inserts stay in the newest block): the delete seeks (block, tenant) for every block
 * from the oldest message's to the newest's. The block expression must match the index's.
 */
export const DELETE_MESSAGES = `WITH RECURSIVE blocks(b) AS (
  SELECT min(seq) >> 12 FROM hookbox_messages
  UNION ALL SELECT b + 1 FROM blocks WHERE b < (SELECT max(seq) >> 12 FROM hookbox_messages)
)
DELETE FROM hookbox_messages WHERE (seq >> 12) IN (SELECT b FROM blocks) AND tenant = ?`
