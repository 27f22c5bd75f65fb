import type { TenantPurgeCounts } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { changes, type MaybePromise, type Plan } from '../plan.js'

/**
 * Removes everything of one tenant in one transaction, through the tenant indexes: attempts,
 * deliveries, idempotency keys, messages, results, endpoints and its state row.
 */
export function purgeTenant(d: KyselyDialect, { tenant }: { tenant: string }): MaybePromise<TenantPurgeCounts> {
  return d.transaction(purgeTenantPlan(d, tenant))
}

function* purgeTenantPlan({ qb }: KyselyDialect, tenant: string): Plan<TenantPurgeCounts> {
  const attempts = yield* changes(qb.deleteFrom('hookbox_attempts').where('tenant', '=', tenant))
  const deliveries = yield* changes(qb.deleteFrom('hookbox_deliveries').where('tenant', '=', tenant))
  yield* changes(qb.deleteFrom('hookbox_idempotency_keys').where('tenant', '=', tenant))
  const messages = yield* changes(qb.deleteFrom('hookbox_messages').where('tenant', '=', tenant))
  const results = yield* changes(qb.deleteFrom('hookbox_results').where('tenant', '=', tenant))
  const endpoints = yield* changes(qb.deleteFrom('hookbox_endpoints').where('tenant', '=', tenant))
  yield* changes(qb.deleteFrom('hookbox_tenants').where('tenant', '=', tenant))
  return { endpoints, messages, deliveries, attempts, results }
}
