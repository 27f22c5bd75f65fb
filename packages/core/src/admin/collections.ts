import { ValidationError, NotFoundError } from '../errors.js'
import { invalidEventPattern } from '../event-filter.js'
import { validatePolicy, type RetryPolicy } from '../policies/policy.js'
import { policies } from '../policies/builders.js'
import type { SuccessRule } from '../success-rule.js'
import type { CollectionRecord, FailureMode } from '../store/records.js'
import type { AdminContext } from './context.js'

/** Input of `outbox.collections.upsert`. */
export interface CollectionInput {
  /** Unique name, e.g. `FUNCTION`, `EVENT`, `RESULT`. */
  name: string
  /** Event types or globs (`entity.*`); omitted or null: every event. */
  events?: string[] | null
  /** Retry policy (default `policies.exponential()`). */
  policy?: RetryPolicy
  /** `each` (default) or `majority`. */
  failureMode?: FailureMode
  /** Default success rule of its endpoints. */
  success?: SuccessRule | null
  /** Omitted: unchanged on update, true on create. */
  enabled?: boolean
}

/** A stored collection. */
export type Collection = CollectionRecord

const NAME = /^[A-Za-z0-9_.:-]{1,100}$/

export function checkEvents(events: unknown, what: string): string[] | null {
  if (events === undefined || events === null) return null
  if (!Array.isArray(events) || events.length === 0)
    throw new ValidationError(`${what} events must be a non-empty array of event types or globs`)
  const bad = invalidEventPattern(events)
  if (bad !== undefined) throw new ValidationError(`${what} event pattern is invalid: ${JSON.stringify(bad)}`)
  return [...events]
}

/** Creates and changes collections (`outbox.collections`). */
export class Collections {
  readonly #ctx: AdminContext
  constructor(ctx: AdminContext) {
    this.#ctx = ctx
  }

  /** Creates the collection, or replaces its filter, policy and failure mode. */
  async upsert(input: CollectionInput): Promise<Collection> {
    if (!input || typeof input.name !== 'string' || !NAME.test(input.name))
      throw new ValidationError(
        `collection name must be 1-100 characters of letters, digits and _ . : -, got ${JSON.stringify(input?.name)}`,
      )
    const failureMode = input.failureMode ?? 'each'
    if (failureMode !== 'each' && failureMode !== 'majority')
      throw new ValidationError(`failureMode must be 'each' or 'majority', got ${JSON.stringify(failureMode)}`)
    const policy = validatePolicy({ ...(input.policy ?? policies.exponential()) })
    const existing = await this.#ctx.store.catalog.getCollection({ name: input.name })
    const now = this.#ctx.clock.now()
    const saved = await this.#ctx.store.catalog.upsertCollection({
      collection: {
        name: input.name,
        events: checkEvents(input.events, `collection ${input.name}`),
        policy,
        failureMode,
        success: input.success ?? null,
        enabled: input.enabled ?? existing?.enabled ?? true,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      },
    })
    this.#ctx.changed()
    return saved
  }

  /**
   * Stops the collection: new messages are not planned for it, and its pending deliveries wait
   * until it is enabled again.
   */
  disable(name: string): Promise<Collection> {
    return this.#setEnabled(name, false)
  }

  /** Resumes a disabled collection. */
  enable(name: string): Promise<Collection> {
    return this.#setEnabled(name, true)
  }

  async #setEnabled(name: string, enabled: boolean): Promise<Collection> {
    const c = await this.get(name)
    const saved = await this.#ctx.store.catalog.upsertCollection({ collection: { ...c, enabled, updatedAt: this.#ctx.clock.now() } })
    this.#ctx.changed()
    return saved
  }

  /** The collection, or a {@link NotFoundError}. */
  async get(name: string): Promise<Collection> {
    const c = await this.#ctx.store.catalog.getCollection({ name })
    if (!c) throw new NotFoundError('collection', name)
    return c
  }

  /** Every collection, by name. */
  list(): Promise<Collection[]> {
    return this.#ctx.store.catalog.listCollections()
  }

  /** Deletes a collection with no endpoints and no pending deliveries left. */
  async delete(name: string): Promise<void> {
    if ((await this.#ctx.store.catalog.listEndpoints({ collection: name })).length > 0)
      throw new ValidationError(`collection ${name} still has endpoints; delete them first`)
    if ((await this.#ctx.store.queue.listDeliveries({ collection: name, state: 'pending', limit: 1 })).length > 0)
      throw new ValidationError(`collection ${name} still has pending deliveries; let them finish first`)
    if (!(await this.#ctx.store.catalog.deleteCollection({ name }))) throw new NotFoundError('collection', name)
  }
}
