import { NotFoundError } from '../errors.js'
import type { AttemptRecord, DeliveryRecord, MessageRecord } from '../store/records.js'
import type { DeliveryQuery } from '../store/store.js'
import { cancelled } from '../store/transitions.js'
import type { AdminContext } from './context.js'
import { scopeOf, scoped, type TenantScope } from './tenant-scope.js'

/** A delivery with its message and the log of every attempt. */
export interface DeliveryDetail extends DeliveryRecord {
  message: MessageRecord
  attemptLog: AttemptRecord[]
}

/** Filter for `outbox.deliveries.list`. */
export type DeliveryFilter = DeliveryQuery

/** Read access to deliveries and their attempt logs (`outbox.deliveries`). */
export class Deliveries {
  readonly #ctx: AdminContext
  constructor(ctx: AdminContext) {
    this.#ctx = ctx
  }

  /** The delivery with its message and attempt log, or a {@link NotFoundError} (also when it is another tenant's than `tenant`). */
  async get(id: string, options?: TenantScope): Promise<DeliveryDetail> {
    const { store } = this.#ctx
    const delivery = scoped(await store.queue.getDelivery({ id }), scopeOf(options), 'delivery', id)
    const [message, attemptLog] = await Promise.all([
      store.queue.getMessage({ id: delivery.messageId }),
      store.queue.listAttempts({ deliveryId: id }),
    ])
    if (!message) throw new NotFoundError('message', delivery.messageId)
    return { ...delivery, message, attemptLog }
  }

  /** Deliveries matching the filter, oldest first; page with `after` (the last id seen). */
  async list(filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    const tenant = scopeOf(filter)
    const { tenant: _t, ...rest } = filter
    return this.#ctx.store.queue.listDeliveries({
      ...rest,
      ...(tenant !== undefined && { tenant }),
      limit: Math.min(filter.limit ?? 100, 1000),
    })
  }

  /**
   * Gives up on pending deliveries: they end `failed` with `reason` and are not attempted again
   * (an attempt in flight still finishes, but its outcome is ignored). Returns how many.
   */
  async cancel(ids: string[], reason = 'cancelled', options?: TenantScope): Promise<number> {
    const now = this.#ctx.clock.now()
    const mine = await this.ownedBy(ids, scopeOf(options))
    return (await this.#ctx.store.queue.transition({ ids: mine, from: ['pending'], now, apply: cancelled(now, reason) })).length
  }

  /** Deliveries raised by one request id (of `tenant`, when given), each with its attempt log. */
  async byRequestId(requestId: string, options?: TenantScope): Promise<DeliveryDetail[]> {
    const list = await this.list({ ...options, requestId, limit: 1000 })
    return Promise.all(list.map((d) => this.get(d.id)))
  }

  /** The ids among `ids` of deliveries in the scope (all of them when there is none). */
  async ownedBy(ids: string[], scope: string | null | undefined): Promise<string[]> {
    if (scope === undefined) return ids
    const found = await Promise.all(ids.map((id) => this.#ctx.store.queue.getDelivery({ id })))
    return found.flatMap((d) => (d && d.tenant === scope ? [d.id] : []))
  }
}
