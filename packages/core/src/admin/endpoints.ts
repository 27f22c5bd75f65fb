import { NotFoundError, ValidationError } from '../errors.js'
import { newId } from '../ids.js'
import type { EndpointRecord } from '../store/records.js'
import type { SuccessRule } from '../success-rule.js'
import { checkEvents } from './collections.js'
import type { AdminContext } from './context.js'
import type { EndpointSecurity } from './endpoint-security.js'
import { validateEndpointUrl } from './validate-url.js'

/** Input of `outbox.endpoints.create`. */
export interface EndpointInput {
  /** The collection it belongs to; must exist. */
  collection: string
  /** `https://…` (or `http://…` when `http.allowHttp` is set), or a URL of an added transport (`mailto:…`). */
  url: string
  /** Narrows the collection's event filter for this endpoint. */
  events?: string[] | null
  /** Extra headers sent with every request (Incode's custom headers). */
  headers?: Record<string, string>
  /** Per-attempt timeout in ms; defaults to the collection policy's. */
  timeoutMs?: number | null
  /** Overrides the collection's success rule. */
  success?: SuccessRule | null
  /** Append `/{requestId}` to the URL path (FrankieOne). */
  appendRequestId?: boolean
  /** Authentication of outgoing requests; see the security section of the README. */
  auth?: unknown
  enabled?: boolean
  description?: string | null
  /** Most attempts in flight to this endpoint at once, per dispatcher process (default: no cap). */
  maxInFlight?: number | null
  /** Most attempts started per second, per dispatcher process (default: no cap); may be fractional. */
  ratePerSecond?: number | null
}

/** Fields `outbox.endpoints.update` can change. */
export type EndpointPatch = Partial<Omit<EndpointInput, 'collection'>>

/** An endpoint as shown to callers: secrets in `auth` are redacted. */
export type Endpoint = EndpointRecord

/** What `create` (and an update that generates secrets) returns: secrets appear here once. */
export interface EndpointWithSecrets extends Endpoint {
  /** Generated secrets (e.g. `{ token }`), shown once and never again. */
  secrets?: Record<string, string>
}

const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
])

function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {}
  if (typeof headers !== 'object' || Array.isArray(headers))
    throw new ValidationError('headers must be an object of header names to strings')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase()
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new ValidationError(`invalid header name ${JSON.stringify(k)}`)
    if (FORBIDDEN_HEADERS.has(name)) throw new ValidationError(`header ${k} is set by Hookbox and cannot be overridden`)
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw new ValidationError(`header ${k} must be a string without line breaks`)
    out[name] = v
  }
  return out
}

function checkTimeout(t: unknown): number | null {
  if (t === undefined || t === null) return null
  if (typeof t !== 'number' || !Number.isInteger(t) || t <= 0 || t > 60_000)
    throw new ValidationError(`timeoutMs must be an integer in (0, 60000], got ${t}`)
  return t
}

function checkMaxInFlight(n: unknown): number | null {
  if (n === undefined || n === null) return null
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000)
    throw new ValidationError(`maxInFlight must be an integer in [1, 10000], got ${n}`)
  return n
}

function checkRate(r: unknown): number | null {
  if (r === undefined || r === null) return null
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0.001 || r > 100_000)
    throw new ValidationError(`ratePerSecond must be a number in [0.001, 100000], got ${r}`)
  return r
}

/** Registers and manages endpoints (`outbox.endpoints`), stored in the database. */
export class Endpoints {
  readonly #ctx: AdminContext
  readonly #security: EndpointSecurity
  constructor(ctx: AdminContext, security: EndpointSecurity) {
    this.#ctx = ctx
    this.#security = security
  }

  #view(e: EndpointRecord, secrets?: Record<string, string>): EndpointWithSecrets {
    const view: EndpointWithSecrets = { ...e, auth: this.#security.redact(e.auth) }
    if (secrets && Object.keys(secrets).length > 0) view.secrets = secrets
    return view
  }

  /** Registers an endpoint. Generated secrets (if its auth asks for one) are in `secrets`, once. */
  async create(input: EndpointInput): Promise<EndpointWithSecrets> {
    if (!input || typeof input !== 'object') throw new ValidationError('endpoint input must be an object')
    const url = validateEndpointUrl(input.url, this.#ctx.allowHttp, this.#ctx.transports)
    const events = checkEvents(input.events, 'endpoint')
    const headers = checkHeaders(input.headers)
    const timeoutMs = checkTimeout(input.timeoutMs)
    const maxInFlight = checkMaxInFlight(input.maxInFlight)
    const ratePerSecond = checkRate(input.ratePerSecond)
    if (!(await this.#ctx.store.catalog.getCollection({ name: input.collection })))
      throw new ValidationError(
        `unknown collection "${input.collection}"; create it with outbox.collections.upsert first`,
        'UNKNOWN_COLLECTION',
      )
    const auth = await this.#security.prepareAuth(input.auth, null)
    const now = this.#ctx.clock.now()
    const record: EndpointRecord = {
      id: newId(now),
      collection: input.collection,
      url,
      enabled: input.enabled ?? true,
      disabledReason: input.enabled === false ? 'created disabled' : null,
      events,
      headers,
      timeoutMs,
      success: input.success ?? null,
      appendRequestId: input.appendRequestId ?? false,
      auth: auth.stored,
      description: input.description ?? null,
      maxInFlight,
      ratePerSecond,
      pausedUntil: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    }
    await this.#ctx.store.catalog.insertEndpoint({ endpoint: record })
    this.#ctx.changed()
    return this.#view(record, auth.revealed)
  }

  /** Changes URL, events, headers, auth, status…; fields left out keep their value. */
  async update(id: string, patch: EndpointPatch): Promise<EndpointWithSecrets> {
    const current = await this.#ctx.store.catalog.getEndpoint({ id })
    if (!current) throw new NotFoundError('endpoint', id)
    const next: EndpointRecord = { ...current, updatedAt: this.#ctx.clock.now() }
    if (patch.url !== undefined) next.url = validateEndpointUrl(patch.url, this.#ctx.allowHttp, this.#ctx.transports)
    if (patch.events !== undefined) next.events = checkEvents(patch.events, 'endpoint')
    if (patch.headers !== undefined) next.headers = checkHeaders(patch.headers)
    if (patch.timeoutMs !== undefined) next.timeoutMs = checkTimeout(patch.timeoutMs)
    if (patch.success !== undefined) next.success = patch.success
    if (patch.appendRequestId !== undefined) next.appendRequestId = patch.appendRequestId
    if (patch.description !== undefined) next.description = patch.description
    if (patch.maxInFlight !== undefined) next.maxInFlight = checkMaxInFlight(patch.maxInFlight)
    if (patch.ratePerSecond !== undefined) next.ratePerSecond = checkRate(patch.ratePerSecond)
    if (patch.enabled !== undefined) {
      next.enabled = patch.enabled
      next.disabledReason = patch.enabled ? null : 'disabled by request'
      if (patch.enabled) Object.assign(next, { pausedUntil: null, failingSince: null })
    }
    let revealed: Record<string, string> | undefined
    if (patch.auth !== undefined) {
      const auth = await this.#security.prepareAuth(patch.auth, current.auth)
      next.auth = auth.stored
      revealed = auth.revealed
    }
    if (!(await this.#ctx.store.catalog.updateEndpoint({ endpoint: next }))) throw new NotFoundError('endpoint', id)
    this.#ctx.changed()
    return this.#view(next, revealed)
  }

  /**
   * Stops sending to the endpoint. Deliveries already owed to it wait until it is enabled
   * again; messages notified while it is disabled are not planned for it at all.
   */
  disable(id: string, reason = 'disabled by request'): Promise<Endpoint> {
    return this.#setEnabled(id, false, reason)
  }

  /**
   * Resumes sending to the endpoint, with a fresh circuit breaker. Deliveries that waited go
   * out; those dead-lettered meanwhile can be sent with `outbox.deadLetters.replay`.
   */
  enable(id: string): Promise<Endpoint> {
    return this.#setEnabled(id, true, null)
  }

  async #setEnabled(id: string, enabled: boolean, reason: string | null): Promise<Endpoint> {
    const current = await this.#ctx.store.catalog.getEndpoint({ id })
    if (!current) throw new NotFoundError('endpoint', id)
    const next = { ...current, enabled, disabledReason: reason, updatedAt: this.#ctx.clock.now() }
    if (enabled) Object.assign(next, { pausedUntil: null, failingSince: null })
    await this.#ctx.store.catalog.updateEndpoint({ endpoint: next })
    this.#ctx.changed()
    return this.#view(next)
  }

  /** The endpoint (secrets redacted), or a {@link NotFoundError}. */
  async get(id: string): Promise<Endpoint> {
    const e = await this.#ctx.store.catalog.getEndpoint({ id })
    if (!e) throw new NotFoundError('endpoint', id)
    return this.#view(e)
  }

  /** Endpoints, optionally of one collection or state, secrets redacted. */
  async list(query: { collection?: string; enabled?: boolean } = {}): Promise<Endpoint[]> {
    return (await this.#ctx.store.catalog.listEndpoints(query)).map((e) => this.#view(e))
  }

  /** Deletes the endpoint; its pending deliveries fail with "endpoint was deleted". */
  async delete(id: string): Promise<void> {
    if (!(await this.#ctx.store.catalog.deleteEndpoint({ id }))) throw new NotFoundError('endpoint', id)
    this.#ctx.changed()
  }
}
