import type { TenantRecord } from '@hookbox/core'
import { sql } from 'kysely'
import { tenantFromRow, tenantToRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/** Records a tenant, enabled, unless it is known; returns it as stored. */
export function ensureTenant(x: SyncExecutor, { tenant, now }: { tenant: string; now: number }): TenantRecord {
  const row = { tenant, enabled: 1, disabled_reason: null, created_at: now, updated_at: now }
  x.run(
    x.qb
      .insertInto('hookbox_tenants')
      .values(row)
      .onConflict((oc) => oc.column('tenant').doNothing()),
  )
  return getTenant(x, { tenant })!
}

/** Inserts or replaces a tenant's state, keeping its `createdAt`; returns it as stored. */
export function upsertTenant(x: SyncExecutor, { tenant }: { tenant: TenantRecord }): TenantRecord {
  const row = tenantToRow(tenant)
  x.run(
    x.qb
      .insertInto('hookbox_tenants')
      .values(row)
      .onConflict((oc) =>
        oc.column('tenant').doUpdateSet({ enabled: row.enabled, disabled_reason: row.disabled_reason, updated_at: row.updated_at }),
      ),
  )
  return getTenant(x, { tenant: tenant.tenant })!
}

/** One tenant by name. */
export function getTenant(x: SyncExecutor, { tenant }: { tenant: string }): TenantRecord | undefined {
  const r = x.one(x.qb.selectFrom('hookbox_tenants').selectAll().where('tenant', '=', tenant))
  return r && tenantFromRow(r)
}

/** Every known tenant, by name. */
export function listTenants(x: SyncExecutor): TenantRecord[] {
  return x.all(x.qb.selectFrom('hookbox_tenants').selectAll().where('tenant', '<>', sql.lit('')).orderBy('tenant')).map(tenantFromRow)
}
