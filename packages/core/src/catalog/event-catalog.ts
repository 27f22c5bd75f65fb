import type { StandardSchemaV1 } from '@standard-schema/spec'
import { InvalidPayloadError, ValidationError, type PayloadIssue } from '../errors.js'
import { TYPE, type OutboxEvent } from '../message.js'
import type { EventCatalog, EventDefinition } from './define-events.js'

/** One entry of `outbox.eventTypes()`: a catalogued event type as a portal shows it. */
export interface EventTypeInfo {
  /** The event type, e.g. `entity.state_changed`. */
  type: string
  /** What it means; `null` when the catalog gives no description. */
  description: string | null
  /** An example payload; `undefined` when the catalog gives none. */
  example?: unknown
  /** Whether `notify` validates this type's payloads with a schema. */
  validated: boolean
}

type Schema = StandardSchemaV1<unknown, unknown>

/**
 * The event types an outbox accepts, from `createOutbox({ events })` or the shorter
 * `eventTypes: string[]`: which types may be notified, and the schemas payloads must pass.
 */
export class EventTypeRules {
  /** The accepted types; `null` when any type is accepted (no catalog). */
  readonly names: ReadonlySet<string> | null
  readonly #schemas = new Map<string, Schema>()
  readonly #listed: EventTypeInfo[]

  constructor(events: EventCatalog | undefined, eventTypes: readonly string[] | undefined) {
    if (events !== undefined && eventTypes !== undefined)
      throw new ValidationError('give either events (a catalog) or eventTypes (names only), not both')
    if (eventTypes !== undefined && !Array.isArray(eventTypes)) throw new ValidationError('eventTypes must be an array of event type names')
    if (events !== undefined && (events === null || typeof events !== 'object' || Array.isArray(events)))
      throw new ValidationError('events must be a catalog object, e.g. defineEvents({ "entity.changed": { description } })')
    const entries: [string, EventDefinition][] = events ? Object.entries(events) : (eventTypes ?? []).map((t) => [t, {}])
    this.#listed = entries.map(([type, definition]) => this.#add(type, definition))
    this.names = events || eventTypes ? new Set(entries.map(([type]) => type)) : null
  }

  #add(type: string, definition: EventDefinition): EventTypeInfo {
    if (typeof type !== 'string' || !TYPE.test(type) || type.length > 200)
      throw new ValidationError(`catalog event type must be dot-separated words, got ${JSON.stringify(type)}`)
    if (!definition || typeof definition !== 'object') throw new ValidationError(`catalog entry "${type}" must be an object`)
    const { schema, description } = definition
    if (description !== undefined && typeof description !== 'string')
      throw new ValidationError(`catalog entry "${type}": description must be a string`)
    if (schema !== undefined) {
      if (typeof schema?.['~standard']?.validate !== 'function')
        throw new ValidationError(`catalog entry "${type}": schema must implement Standard Schema (zod, valibot, arktype…)`)
      this.#schemas.set(type, schema)
    }
    return { type, description: description ?? null, ...('example' in definition && { example: definition.example }), validated: !!schema }
  }

  /** The catalog as `outbox.eventTypes()` returns it (copies, in declaration order). */
  list(): EventTypeInfo[] {
    return this.#listed.map((info) => structuredClone(info))
  }

  /**
   * Runs each event's schema and returns the events with the schemas' output as payload, at
   * once when every schema answered synchronously. Events without a schema pass as they are;
   * malformed events are left for the message checks. Throws {@link InvalidPayloadError}.
   */
  validate(events: readonly OutboxEvent[], sync: boolean): OutboxEvent[] | Promise<OutboxEvent[]> {
    if (this.#schemas.size === 0 || !Array.isArray(events)) return events as OutboxEvent[]
    const results = events.map((event) => {
      const schema = event && typeof event === 'object' ? this.#schemas.get(event.type) : undefined
      return schema ? schema['~standard'].validate(event.payload) : null
    })
    if (!results.some((r) => r instanceof Promise)) return this.#apply(events, results as (StandardSchemaV1.Result<unknown> | null)[])
    if (sync)
      throw new ValidationError('a schema in the event catalog validates asynchronously, which a synchronous transaction cannot wait for')
    return Promise.all(results).then((settled) => this.#apply(events, settled))
  }

  #apply(events: readonly OutboxEvent[], results: readonly (StandardSchemaV1.Result<unknown> | null)[]): OutboxEvent[] {
    return events.map((event, i) => {
      const result = results[i]
      if (!result) return event
      if (result.issues) throw new InvalidPayloadError(event.type, result.issues.map(toIssue))
      return { ...event, payload: result.value }
    })
  }
}

function toIssue(issue: StandardSchemaV1.Issue): PayloadIssue {
  const path = (issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p))
  return { message: issue.message, path: path.map((k) => (typeof k === 'number' ? k : String(k))) }
}
