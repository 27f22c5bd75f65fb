import { NotFoundError } from '../errors.js'
import type { DeliveryRecord } from '../store/records.js'
import { replayed } from '../store/transitions.js'
import type { AdminContext } from './context.js'
import type { DeliveryDetail } from './deliveries.js'
import { Deliveries } from './deliveries.js'
import { scopeOf, type TenantScope } from './tenant-scope.js'

/** Which dead letters `replayMany` and `purge` act on: the given ids, or all (of `tenant`, when given). */
export interface DeadLetterSelection extends TenantScope {
  ids?: string[]
}

/** The dead-letter queue (`outbox.deadLetters`): deliveries whose retries ran out. */
export class DeadLetters {
  readonly #ctx: AdminContext
  readonly #deliveries: Deliveries
  constructor(ctx: AdminContext) {
    this.#ctx = ctx
    this.#deliveries = new Deliveries(ctx)
  }

  /** Dead deliveries, oldest first; page with `after`. */
  list(
    options: TenantScope & { collection?: string; endpointId?: string; after?: string; limit?: number } = {},
  ): Promise<DeliveryRecord[]> {
    return this.#deliveries.list({ ...options, state: 'dead' })
  }

  /** One dead letter with its message and attempt log. */
  async get(id: string, options?: TenantScope): Promise<DeliveryDetail> {
    const d = await this.#deliveries.get(id, options)
    if (d.state !== 'dead') throw new NotFoundError('dead letter', id)
    return d
  }

  /** Sends a dead letter again with a fresh schedule. */
  async replay(id: string, options?: TenantScope): Promise<void> {
    const mine = await this.#deliveries.ownedBy([id], scopeOf(options))
    const done = await this.#replay(mine, this.#ctx.clock.now())
    if (done.length === 0) throw new NotFoundError('dead letter', id)
    this.#ctx.changed()
  }

  /**
   * Replays the given dead letters, or every one (in batches) when no ids are given; with
   * `tenant`, only that tenant's. Takes the ids as an array or `{ tenant, ids }`. Returns how many.
   */
  async replayMany(selection?: string[] | DeadLetterSelection): Promise<number> {
    const now = this.#ctx.clock.now()
    const { ids, scope, tenant } = this.#select(selection)
    if (ids) {
      const n = (await this.#replay(await this.#deliveries.ownedBy(ids, scope), now)).length
      this.#ctx.changed()
      return n
    }
    // Page by id, so letters that die again during the call are not replayed twice.
    let total = 0
    let after: string | undefined
    for (;;) {
      const batch = await this.list({ ...tenant, limit: 500, after })
      if (batch.length === 0) break
      after = batch.at(-1)!.id
      total += (
        await this.#replay(
          batch.map((d) => d.id),
          now,
        )
      ).length
    }
    this.#ctx.changed()
    return total
  }

  /** Deletes the given dead letters, or all of them (of `tenant`, when given). Same selection as `replayMany`. Returns how many. */
  async purge(selection?: string[] | DeadLetterSelection): Promise<number> {
    const { ids, scope, tenant } = this.#select(selection)
    if (ids) return this.#ctx.store.queue.deleteDeliveries({ ids: await this.#deliveries.ownedBy(ids, scope), states: ['dead'] })
    let total = 0
    let after: string | undefined
    for (;;) {
      const batch = await this.list({ ...tenant, limit: 500, after })
      if (batch.length === 0) return total
      after = batch.at(-1)!.id
      total += await this.#ctx.store.queue.deleteDeliveries({ ids: batch.map((d) => d.id), states: ['dead'] })
    }
  }

  #select(selection: string[] | DeadLetterSelection | undefined) {
    const given = Array.isArray(selection) ? { ids: selection } : (selection ?? {})
    const scope = scopeOf(given)
    return { ids: given.ids, scope, tenant: scope === undefined ? {} : { tenant: scope } }
  }

  /** Core's replay rule, applied by the store to the dead letters among `ids`. */
  #replay(ids: string[], now: number): Promise<string[]> {
    return this.#ctx.store.queue.transition({ ids, from: ['dead'], now, apply: replayed(now) })
  }
}
