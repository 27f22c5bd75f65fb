import { andThen, type TenantRecord } from '@hookbox/core'
import { sql } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import { selectOne, selectRows, write, type MaybePromise } from '../plan.js'

/** Records a tenant, enabled, unless it is known; returns it as stored. */
export function ensureTenant(d: KyselyDialect, { tenant, now }: { tenant: string; now: number }): MaybePromise<TenantRecord> {
  const row = { tenant, enabled: 1, disabled_reason: null, created_at: now, updated_at: now }
  const insert = d.upsert(d.qb.insertInto('hookbox_tenants').values(row), ['tenant'], undefined)
  return andThen(write(d.exec, insert), () => andThen(getTenant(d, { tenant }), (t) => t!))
}

/** Inserts or replaces a tenant's state, keeping its `createdAt`; returns it as stored. */
export function upsertTenant(d: KyselyDialect, { tenant }: { tenant: TenantRecord }): MaybePromise<TenantRecord> {
  const row = d.rows.tenantToRow(tenant)
  const changes = { enabled: row.enabled, disabled_reason: row.disabled_reason, updated_at: row.updated_at }
  const upsert = d.upsert(d.qb.insertInto('hookbox_tenants').values(row), ['tenant'], changes)
  return andThen(write(d.exec, upsert), () => andThen(getTenant(d, { tenant: tenant.tenant }), (t) => t!))
}

/** One tenant by name. */
export function getTenant(d: KyselyDialect, { tenant }: { tenant: string }): MaybePromise<TenantRecord | undefined> {
  return selectOne(d.exec, d.qb.selectFrom('hookbox_tenants').selectAll().where('tenant', '=', tenant), d.rows.tenantFromRow)
}

/** Every known tenant, by name (not the row of no tenant, `''`). */
export function listTenants(d: KyselyDialect): MaybePromise<TenantRecord[]> {
  const q = d.qb.selectFrom('hookbox_tenants').selectAll().where('tenant', '<>', sql.lit('')).orderBy('tenant')
  return selectRows(d.exec, q, d.rows.tenantFromRow)
}
