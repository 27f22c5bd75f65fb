import { NotFoundError, type DeliveryDetail, type Endpoint, type Outbox } from '@hookbox/core'
import { tenantOutbox, type TenantOutbox } from './tenant-outbox.js'

/** The tenant a record belongs to: null for the platform's own. */
function tenantOf(record: { tenant?: string | null }): string | null {
  return record.tenant ?? null
}

/**
 * Every outbox read and write the portal makes, for one tenant. The outbox scopes each call
 * itself (the tenant option); this checks the tenant of what came back as well, so a record of
 * another tenant (or of the platform) is a {@link NotFoundError} even if a store forgot a filter.
 */
export class TenantScope {
  readonly tenant: string
  readonly #outbox: TenantOutbox
  constructor(outbox: Outbox, tenant: string) {
    this.#outbox = tenantOutbox(outbox)
    this.tenant = tenant
  }

  /** The outbox calls, scoped: use only after {@link endpoint} or {@link delivery} checked the id. */
  get outbox(): TenantOutbox {
    return this.#outbox
  }

  /** The option object every scoped call takes. */
  get option(): { tenant: string } {
    return { tenant: this.tenant }
  }

  /** The tenant's endpoint, or NotFoundError. */
  async endpoint(id: string): Promise<Endpoint> {
    const e = await this.#outbox.endpoints.get(id, this.option)
    if (tenantOf(e) !== this.tenant) throw new NotFoundError('endpoint', id)
    return e
  }

  /** The tenant's endpoints, optionally of one collection. */
  async endpoints(collection?: string): Promise<Endpoint[]> {
    const list = await this.#outbox.endpoints.list({ ...this.option, ...(collection && { collection }) })
    return list.filter((e) => tenantOf(e) === this.tenant)
  }

  /** The tenant's delivery with its message and attempt log, or NotFoundError. */
  async delivery(id: string): Promise<DeliveryDetail> {
    const d = await this.#outbox.deliveries.get(id, this.option)
    if (tenantOf(d) !== this.tenant && tenantOf(d.message as { tenant?: string | null }) !== this.tenant)
      throw new NotFoundError('delivery', id)
    return d
  }

  /**
   * Keeps only the tenant's records of a list the outbox already scoped. A record that carries
   * no tenant field (a delivery row) passes here and is checked through {@link delivery}.
   */
  own<T extends object>(records: T[]): T[] {
    return records.filter((r) => !('tenant' in r) || tenantOf(r as { tenant?: string | null }) === this.tenant)
  }
}
