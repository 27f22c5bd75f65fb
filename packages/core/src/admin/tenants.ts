import { NotFoundError, ValidationError } from '../errors.js'
import { checkTenant } from '../message.js'
import type { TenantPurgeCounts } from '../store/housekeeping-store.js'
import type { TenantRecord } from '../store/records.js'
import type { AdminContext } from './context.js'

/** A tenant as `outbox.tenants` shows it. */
export type Tenant = TenantRecord

/** Options of `outbox.tenants.disable`. */
export interface TenantDisableOptions {
  /** Why (shown in `get` and `list`); default `disabled by request`. */
  reason?: string
}

/**
 * The platform's customers (`outbox.tenants`). A tenant is known once it has an endpoint or has
 * been disabled. A disabled tenant is sent nothing: what it is owed waits, as for a disabled
 * endpoint, and ends at its policy's deadline; new events are still planned for it.
 */
export class Tenants {
  readonly #ctx: AdminContext
  constructor(ctx: AdminContext) {
    this.#ctx = ctx
  }

  /** Every known tenant, by name. */
  list(): Promise<Tenant[]> {
    return this.#ctx.store.catalog.listTenants()
  }

  /** The tenant, or a {@link NotFoundError} when it is unknown. */
  async get(tenant: string): Promise<Tenant> {
    const name = required(tenant)
    const found = await this.#ctx.store.catalog.getTenant({ tenant: name })
    if (!found) throw new NotFoundError('tenant', name)
    return found
  }

  /** Suspends a tenant: nothing is sent to any of its endpoints until {@link Tenants.enable}. */
  async disable(tenant: string, options: TenantDisableOptions = {}): Promise<Tenant> {
    const reason = options.reason ?? 'disabled by request'
    if (typeof reason !== 'string' || reason.length > 1000) throw new ValidationError('reason must be a string of at most 1000 characters')
    return this.#set(required(tenant), false, reason)
  }

  /** Resumes a tenant: what waited goes out. */
  async enable(tenant: string): Promise<Tenant> {
    return this.#set(required(tenant), true, null)
  }

  /**
   * Removes every endpoint, message, delivery, attempt and result of the tenant, and the tenant
   * itself, in one transaction; nothing of any other tenant. Returns what it removed.
   */
  async purge(tenant: string): Promise<TenantPurgeCounts> {
    const counts = await this.#ctx.store.housekeeping.purgeTenant({ tenant: required(tenant) })
    this.#ctx.changed()
    return counts
  }

  async #set(tenant: string, enabled: boolean, reason: string | null): Promise<Tenant> {
    const now = this.#ctx.clock.now()
    const stored = await this.#ctx.store.catalog.upsertTenant({
      tenant: { tenant, enabled, disabledReason: reason, createdAt: now, updatedAt: now },
    })
    this.#ctx.changed()
    return stored
  }
}

function required(tenant: unknown): string {
  const name = checkTenant(tenant)
  if (name === null) throw new ValidationError('a tenant is required')
  return name
}
