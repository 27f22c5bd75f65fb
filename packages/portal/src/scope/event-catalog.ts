import { matchesEvent, type Collection, type Outbox } from '@hookbox/core'

/** One event type customers can subscribe to. */
export interface CatalogEntry {
  /** The event type (or a glob such as `entity.*` a collection accepts). */
  type: string
  /** What the event means, when the catalog says. */
  description: string | null
  /** The collections whose filter lets it through. */
  collections: string[]
  /** An example payload, when the host gave one (`examples`) or the catalog has one. */
  example: unknown
}

interface CatalogType {
  type?: string
  name?: string
  description?: string | null
  example?: unknown
  examples?: unknown[]
}

type WithCatalog = Outbox & { eventTypes?: () => unknown }

/**
 * The event types a customer can pick. Reads `outbox.eventTypes()` (the event catalog) when the
 * outbox has it; otherwise the exact types and globs named by the collections' event filters.
 */
export async function eventCatalog(outbox: Outbox, collections: Collection[], examples: Record<string, unknown>): Promise<CatalogEntry[]> {
  const byType = new Map<string, CatalogEntry>()
  const add = (type: string, collection: string | null, description: string | null = null, example?: unknown) => {
    const entry = byType.get(type) ?? { type, description, collections: [], example: examples[type] ?? example ?? null }
    if (collection && !entry.collections.includes(collection)) entry.collections.push(collection)
    byType.set(type, entry)
  }
  const catalog = (outbox as WithCatalog).eventTypes
  // An outbox without a catalog lists none: the collections' filters name the types then.
  const listed = typeof catalog === 'function' ? ((await catalog.call(outbox)) as Array<string | CatalogType>) : []
  for (const t of listed) {
    const entry = typeof t === 'string' ? { type: t } : t
    const type = entry.type ?? entry.name
    if (!type) continue
    add(type, null, entry.description ?? null, entry.example ?? entry.examples?.[0])
    for (const c of collections) if (matchesEvent(c.events, type)) add(type, c.name)
  }
  if (listed.length === 0) for (const c of collections) for (const type of c.events ?? []) add(type, c.name)
  // A catalogued type no collection the customer may use lets through cannot be subscribed to.
  for (const [type, entry] of byType) if (entry.collections.length === 0) byType.delete(type)
  return [...byType.values()].sort((a, b) => a.type.localeCompare(b.type))
}
