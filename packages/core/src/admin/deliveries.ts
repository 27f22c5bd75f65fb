import { NotFoundError } from '../errors.js'
import type { AttemptRecord, DeliveryRecord, MessageRecord } from '../store/records.js'
import type { DeliveryQuery } from '../store/store.js'
import { cancelled } from '../store/transitions.js'
import type { AdminContext } from './context.js'

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

  /** The delivery with its message and attempt log, or a {@link NotFoundError}. */
  async get(id: string): Promise<DeliveryDetail> {
    const { store } = this.#ctx
    const delivery = await store.queue.getDelivery({ id })
    if (!delivery) throw new NotFoundError('delivery', id)
    const [message, attemptLog] = await Promise.all([
      store.queue.getMessage({ id: delivery.messageId }),
      store.queue.listAttempts({ deliveryId: id }),
    ])
    if (!message) throw new NotFoundError('message', delivery.messageId)
    return { ...delivery, message, attemptLog }
  }

  /** Deliveries matching the filter, oldest first; page with `after` (the last id seen). */
  list(filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    return this.#ctx.store.queue.listDeliveries({ ...filter, limit: Math.min(filter.limit ?? 100, 1000) })
  }

  /**
   * Gives up on pending deliveries: they end `failed` with `reason` and are not attempted again
   * (an attempt in flight still finishes, but its outcome is ignored). Returns how many.
   */
  async cancel(ids: string[], reason = 'cancelled'): Promise<number> {
    const now = this.#ctx.clock.now()
    return (await this.#ctx.store.queue.transition({ ids, from: ['pending'], now, apply: cancelled(now, reason) })).length
  }

  /** Deliveries raised by one request id, each with its attempt log. */
  async byRequestId(requestId: string): Promise<DeliveryDetail[]> {
    const list = await this.#ctx.store.queue.listDeliveries({ requestId, limit: 1000 })
    return Promise.all(list.map((d) => this.get(d.id)))
  }
}
