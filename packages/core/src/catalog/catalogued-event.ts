import type { OutboxEvent } from '../message.js'
import type { EventCatalog, PayloadOf } from './define-events.js'

/**
 * The events `notify` accepts under a catalog: one of its types with that type's payload.
 * Without a catalog (`EventCatalog` itself) any type and any payload, as {@link OutboxEvent}.
 */
export type CataloguedEvent<C extends EventCatalog> = {
  [K in keyof C & string]: Omit<OutboxEvent, 'type' | 'payload'> & { type: K; payload: PayloadOf<C[K]> }
}[keyof C & string]
