import type { TenantRecord } from '@hookbox/core'
import type { PostgresExecutor } from '../postgres-executor.js'
import { tenantFromRow, tenantToRow } from '../rows.js'

/** Records a tenant, enabled, unless it is known; returns it as stored. */
export async function ensureTenant(x: PostgresExecutor, { tenant, now }: { tenant: string; now: number }): Promise<TenantRecord> {
  const row = { tenant, enabled: true, disabled_reason: null, created_at: now, updated_at: now }
  await x.run(
    x.tables
      .insertInto('tenants')
      .values(row)
      .onConflict((oc) => oc.column('tenant').doNothing())
      .compile(),
  )
  return (await getTenant(x, { tenant }))!
}

/** Inserts or replaces a tenant's state, keeping its `createdAt`; returns it as stored. */
export async function upsertTenant(x: PostgresExecutor, { tenant }: { tenant: TenantRecord }): Promise<TenantRecord> {
  const row = tenantToRow(tenant)
  const [r] = await x.rows(
    x.tables
      .insertInto('tenants')
      .values(row)
      .onConflict((oc) =>
        oc.column('tenant').doUpdateSet({ enabled: row.enabled, disabled_reason: row.disabled_reason, updated_at: row.updated_at }),
      )
      .returningAll(),
  )
  return tenantFromRow(r!)
}

/** One tenant by name. */
export async function getTenant(x: PostgresExecutor, { tenant }: { tenant: string }): Promise<TenantRecord | undefined> {
  const [r] = await x.rows(x.tables.selectFrom('tenants').selectAll().where('tenant', '=', tenant))
  return r && tenantFromRow(r)
}

/** Every known tenant, by name. */
export async function listTenants(x: PostgresExecutor): Promise<TenantRecord[]> {
  return (await x.rows(x.tables.selectFrom('tenants').selectAll().orderBy('tenant'))).map(tenantFromRow)
}
