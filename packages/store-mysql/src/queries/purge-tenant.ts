import type { TenantPurgeCounts } from '@hookbox/core'
import { changes, type KyselyDialect, type MaybePromise, type Plan } from '@hookbox/store-kysely'
import { CompiledQuery } from 'kysely'

/**
 * Removes everything of one tenant in one transaction, through the tenant indexes: attempts,
 * deliveries (block by block, `tenant-blocks.ts`), idempotency keys, messages, results,
 * endpoints and its state row. READ COMMITTED (`scan`): the deliveries' DELETE reads the block
 * list from the table it deletes from, which under REPEATABLE READ would be a locking read of
 * every block's first entry and the gap before it, holding up expansion's inserts into the
 * newest block until the purge commits.
 */
export function purgeTenant(d: KyselyDialect, { tenant }: { tenant: string }): MaybePromise<TenantPurgeCounts> {
  return d.transaction(purgeTenantPlan(d, tenant), 'scan')
}

function* purgeTenantPlan(d: KyselyDialect, tenant: string): Plan<TenantPurgeCounts> {
  const { qb } = d
  const attempts = yield* changes(qb.deleteFrom('hookbox_attempts').where('tenant', '=', tenant))
  const mine = d.deliveriesOfTenant(tenant).compile(qb)
  const deliveries = yield* changes(
    CompiledQuery.raw(`DELETE d FROM ${d.table('hookbox_deliveries')} d WHERE ${mine.sql}`, [...mine.parameters]),
  )
  yield* changes(qb.deleteFrom('hookbox_idempotency_keys').where('tenant', '=', tenant))
  const messages = yield* changes(qb.deleteFrom('hookbox_messages').where('tenant', '=', tenant))
  const results = yield* changes(qb.deleteFrom('hookbox_results').where('tenant', '=', tenant))
  const endpoints = yield* changes(qb.deleteFrom('hookbox_endpoints').where('tenant', '=', tenant))
  yield* changes(qb.deleteFrom('hookbox_tenants').where('tenant', '=', tenant))
  return { endpoints, messages, deliveries, attempts, results }
}
