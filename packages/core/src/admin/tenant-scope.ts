import { NotFoundError } from '../errors.js'
import { checkTenant } from '../message.js'

/** The `{ tenant }` option of scoped reads and actions. */
export interface TenantScope {
  /**
   * Only this tenant's records (null: only those with no tenant). Omitted: no filter (the
   * platform sees every tenant's). A record of another tenant is then not found.
   */
  tenant?: string | null
}

/** The checked scope: undefined for none, null for the platform's own, else the tenant. */
export function scopeOf(options: TenantScope | undefined): string | null | undefined {
  if (options === undefined || options === null || options.tenant === undefined) return undefined
  return checkTenant(options.tenant)
}

/** Whether a record belongs to the scope (every record does when there is none). */
export function inScope(record: { tenant: string | null }, scope: string | null | undefined): boolean {
  return scope === undefined || record.tenant === scope
}

/** The record when it is in scope; a {@link NotFoundError} (as if it did not exist) otherwise. */
export function scoped<T extends { tenant: string | null }>(
  record: T | undefined,
  scope: string | null | undefined,
  what: string,
  id: string,
): T {
  if (!record || !inScope(record, scope)) throw new NotFoundError(what, id)
  return record
}
