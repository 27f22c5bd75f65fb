import type { TenantPurgeCounts } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { ofTenant } from '../tenant-blocks.js'

/**
 * Removes everything of one tenant in ONE statement (one transaction), through the tenant
 * indexes: attempts (by their own tenant column: a late write-back may have logged some whose
 * delivery is already gone; `tenant <> ''` lets even a generic plan use migration 19's partial index), deliveries, idempotency keys, messages, results, endpoints and
 * its state.
 */
export async function purgeTenant(x: PostgresExecutor, { tenant }: { tenant: string }): Promise<TenantPurgeCounts> {
  const t = (name: string) => x.t(name)
  const [r] = await x.rows<Record<keyof TenantPurgeCounts, string>>(sql`
    WITH attempts AS (DELETE FROM ${t('attempts')} WHERE tenant = ${tenant} AND tenant <> '' RETURNING 1),
      deliveries AS (DELETE FROM ${t('deliveries')} WHERE ${ofTenant(x, 'deliveries', tenant)} RETURNING 1),
      keys AS (DELETE FROM ${t('idempotency_keys')} WHERE tenant = ${tenant} RETURNING 1),
      messages AS (DELETE FROM ${t('messages')} WHERE ${ofTenant(x, 'messages', tenant)} RETURNING 1),
      results AS (DELETE FROM ${t('results')} WHERE tenant = ${tenant} RETURNING 1),
      endpoints AS (DELETE FROM ${t('endpoints')} WHERE tenant = ${tenant} RETURNING 1),
      state AS (DELETE FROM ${t('tenants')} WHERE tenant = ${tenant} RETURNING 1)
    SELECT (SELECT count(*) FROM attempts) AS attempts, (SELECT count(*) FROM deliveries) AS deliveries,
      (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM results) AS results,
      (SELECT count(*) FROM endpoints) AS endpoints, (SELECT count(*) FROM keys) + (SELECT count(*) FROM state) AS other`)
  return {
    endpoints: Number(r?.endpoints ?? 0),
    messages: Number(r?.messages ?? 0),
    deliveries: Number(r?.deliveries ?? 0),
    attempts: Number(r?.attempts ?? 0),
    results: Number(r?.results ?? 0),
  }
}
