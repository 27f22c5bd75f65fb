import { matchesEvent, ValidationError, type Collection, type EndpointInput, type EndpointPatch } from '@hookbox/core'
import type { CatalogEntry } from '../scope/event-catalog.js'

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw new ValidationError(`${key} must be a string`)
  return v
}

function checkPicked(events: unknown, catalog: CatalogEntry[]): string[] | undefined {
  if (events === undefined) return undefined
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string'))
    throw new ValidationError('events must be a non-empty array of event types from the catalog')
  const known = new Set(catalog.map((c) => c.type))
  const unknown = events.find((e) => !known.has(e))
  if (unknown !== undefined) throw new ValidationError(`unknown event type ${JSON.stringify(unknown)}`, 'UNKNOWN_EVENT_TYPE')
  return [...new Set(events as string[])]
}

function checkHeaderObject(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) throw new ValidationError('headers must be an object of strings')
  return headers as Record<string, string>
}

/**
 * The collection a new endpoint goes to: the one named (if customers may use it), or the first
 * whose filter lets every picked event through.
 */
function pickCollection(named: string | undefined, events: string[] | undefined, collections: Collection[]): string {
  if (named !== undefined) {
    if (!collections.some((c) => c.name === named)) throw new ValidationError(`unknown collection "${named}"`, 'UNKNOWN_COLLECTION')
    return named
  }
  const fit = collections.find((c) => (events ?? []).every((e) => matchesEvent(c.events, e)))
  if (!fit) throw new ValidationError('no collection accepts all of these events; pick events of one kind', 'UNKNOWN_COLLECTION')
  return fit.name
}

/** A customer's create request, checked against the catalog; the tenant is the session's, never the body's. */
export function createInput(body: Record<string, unknown>, catalog: CatalogEntry[], collections: Collection[], tenant: string) {
  const url = optionalString(body, 'url')
  if (url === undefined) throw new ValidationError('url is required')
  const events = checkPicked(body.events, catalog)
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw new ValidationError('enabled must be a boolean')
  const input: EndpointInput & { tenant: string } = {
    tenant,
    collection: pickCollection(optionalString(body, 'collection'), events, collections),
    url,
    events: events ?? null,
    description: optionalString(body, 'description') ?? null,
    ...(checkHeaderObject(body.headers) && { headers: checkHeaderObject(body.headers) }),
    ...(body.enabled !== undefined && { enabled: body.enabled as boolean }),
  }
  return input
}

/** A customer's update: URL, events, description and secret headers; nothing else can be changed here. */
export function updatePatch(body: Record<string, unknown>, catalog: CatalogEntry[]): EndpointPatch {
  for (const key of Object.keys(body))
    if (!['url', 'events', 'description', 'headers', 'keepCredentials'].includes(key))
      throw new ValidationError(`field "${key}" cannot be changed here`)
  const patch: EndpointPatch = {}
  const url = optionalString(body, 'url')
  if (url !== undefined) patch.url = url
  const events = checkPicked(body.events, catalog)
  if (events !== undefined) patch.events = events
  if (body.description !== undefined) patch.description = body.description === null ? null : optionalString(body, 'description')!
  const headers = checkHeaderObject(body.headers)
  if (headers !== undefined) patch.headers = headers
  if (body.keepCredentials !== undefined) patch.keepCredentials = body.keepCredentials === true
  return patch
}
