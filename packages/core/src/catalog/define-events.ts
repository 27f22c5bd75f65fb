import type { StandardSchemaV1 } from '@standard-schema/spec'

/**
 * One event type of a catalog: what it means, an example payload for the portal, and
 * optionally a Standard Schema (zod, valibot, arktype…) that `notify` validates payloads with.
 */
export interface EventDefinition<TPayload = unknown> {
  /**
   * Validates the payload at `notify`; its input type is the payload type `notify` accepts,
   * and its output (defaults applied, unknown keys stripped…) is what is written and sent.
   */
  schema?: StandardSchemaV1<TPayload, unknown>
  /** What the event means, for the people subscribing to it. */
  description?: string
  /** A payload as the event carries it, shown to subscribers. */
  example?: TPayload
}

/** Event types by name (`entity.state_changed`), each with its {@link EventDefinition}. */
export type EventCatalog = { readonly [type: string]: EventDefinition<any> }

/** The payload type of a definition: its schema's input type, or `unknown` without a schema. */
export type PayloadOf<D> = D extends { schema: infer S extends StandardSchemaV1 } ? StandardSchemaV1.InferInput<S> : unknown

/** A catalog whose examples are checked against their own schema's input type. */
export type CheckedCatalog<C> = { [K in keyof C]: EventDefinition<PayloadOf<C[K]>> }

/**
 * Declares the event types an outbox sends. Pass the result as `createOutbox({ events })`:
 * `notify` then accepts only these types, each with its own payload type, and
 * `outbox.eventTypes()` lists them.
 *
 * @example
 * ```ts
 * const events = defineEvents({
 *   'entity.state_changed': {
 *     schema: z.object({ entityId: z.string(), from: z.string(), to: z.string() }),
 *     description: 'An entity moved from one state to another.',
 *     example: { entityId: 'e1', from: 'FAIL', to: 'PASS' },
 *   },
 * })
 * ```
 */
export function defineEvents<C extends EventCatalog>(events: C & CheckedCatalog<C>): C {
  return events
}
