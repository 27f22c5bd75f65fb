import type { TenantRecord } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'
import { tenantFromRow, tenantToRow } from '../rows.js'

/** Records a tenant, enabled, unless it is known; returns it as stored. */
export async function ensureTenant(x: MysqlExecutor, { tenant, now }: { tenant: string; now: number }): Promise<TenantRecord> {
  const row = { tenant, enabled: 1, disabled_reason: null, created_at: now, updated_at: now }
  await x.run(x.qb.insertInto('hookbox_tenants').values(row).onDuplicateKeyUpdate({ tenant }))
  return (await getTenant(x, { tenant }))!
}

/** Inserts or replaces a tenant's state, keeping its `createdAt`; returns it as stored. */
export async function upsertTenant(x: MysqlExecutor, { tenant }: { tenant: TenantRecord }): Promise<TenantRecord> {
  const row = tenantToRow(tenant)
  await x.run(
    x.qb
      .insertInto('hookbox_tenants')
      .values(row)
      .onDuplicateKeyUpdate({ enabled: row.enabled, disabled_reason: row.disabled_reason, updated_at: row.updated_at }),
  )
  return (await getTenant(x, { tenant: tenant.tenant }))!
}

/** One tenant by name. */
export async function getTenant(x: MysqlExecutor, { tenant }: { tenant: string }): Promise<TenantRecord | undefined> {
  const r = await x.one(x.qb.selectFrom('hookbox_tenants').selectAll().where('tenant', '=', tenant))
  return r && tenantFromRow(r)
}

/** Every known tenant, by name. */
export async function listTenants(x: MysqlExecutor): Promise<TenantRecord[]> {
  return (await x.all(x.qb.selectFrom('hookbox_tenants').selectAll().orderBy('tenant'))).map(tenantFromRow)
}
