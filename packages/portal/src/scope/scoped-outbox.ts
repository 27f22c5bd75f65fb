import { NotFoundError, type DeliveryDetail, type Endpoint, type Outbox } from '@hookbox/core'

/** The tenant a record belongs to: null for the platform's own. */
function tenantOf(record: { tenant?: string | null }): string | null {
  return record.tenant ?? null
}

/**
 * Every outbox read and write the portal makes, for one tenant. The outbox scopes each call
 * itself (the tenant option); this checks the tenant of what came back as well, so a record of
 * another tenant (or of the platform) is a {@link NotFoundError} even if a store forgot a filter.
 */
export class ScopedOutbox {
  readonly tenant: string
  readonly #outbox: Outbox
  constructor(outbox: Outbox, tenant: string) {
    this.#outbox = outbox
    this.tenant = tenant
  }

  /** The outbox calls, scoped: use only after {@link endpoint} or {@link delivery} checked the id. */
  get outbox(): Outbox {
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
    if (tenantOf(d) !== this.tenant || tenantOf(d.message) !== this.tenant) throw new NotFoundError('delivery', id)
    return d
  }

  /** Keeps only the tenant's records of a list the outbox already scoped. */
  own<T extends { tenant: string | null }>(records: T[]): T[] {
    return records.filter((r) => tenantOf(r) === this.tenant)
  }
}
