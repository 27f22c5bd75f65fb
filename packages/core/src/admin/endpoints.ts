import type { EndpointAuthInput } from '../auth/endpoint-auth.js'
import { AuthNotApplicableError, NotFoundError, TenantChangeError, ValidationError } from '../errors.js'
import { newId } from '../ids.js'
import { checkTenant } from '../message.js'
import type { EndpointRecord } from '../store/records.js'
import type { SuccessRule } from '../success-rule.js'
import { checkEvents } from './collections.js'
import type { AdminContext } from './context.js'
import { checkHeaders } from './endpoint-headers.js'
import { checkEndpointName, checkNameFree } from './endpoint-name.js'
import type { EndpointSecurity, EndpointSigningSecrets } from './endpoint-security.js'
import { validateEndpointUrl } from './validate-url.js'
import { scopeOf, scoped, type TenantScope } from './tenant-scope.js'

/** Input of `outbox.endpoints.create`. */
export interface EndpointInput {
  /**
   * The customer that owns it (a token, as a request id): it receives only that tenant's
   * events. Absent or null: the platform's own endpoint (events with no tenant). Never changes.
   */
  tenant?: string | null
  /**
   * A stable key of the host's choosing (`billing`, `acme-primary`), unique per tenant, with the
   * rules of a request id; `endpoints.upsert` finds the endpoint by it. Absent: unnamed.
   */
  name?: string | null
  /** The collection it belongs to; must exist. */
  collection: string
  /** `https://…` (or `http://…` when `http.allowHttp` is set), or a URL of an added transport (`mailto:…`). */
  url: string
  /** Narrows the collection's event filter for this endpoint. */
  events?: string[] | null
  /**
   * Extra headers sent with every request (Incode's custom headers, an API key). Their values
   * are credentials: encrypted at rest with the other secrets and `[redacted]` in every view.
   */
  headers?: Record<string, string>
  /** Extra headers whose values are not secret (a tenant name): stored in clear, shown in views. */
  publicHeaders?: Record<string, string>
  /** Per-attempt timeout in ms; defaults to the collection policy's. */
  timeoutMs?: number | null
  /** Overrides the collection's success rule. */
  success?: SuccessRule | null
  /** Append `/{requestId}` to the URL path (FrankieOne). */
  appendRequestId?: boolean
  /**
   * Authentication of outgoing requests, by scheme ({@link EndpointAuthInput}); default
   * `{ type: 'hmac' }`: every endpoint is signed unless it says `{ type: 'none' }`. See the
   * security section of the README.
   */
  auth?: EndpointAuthInput
  enabled?: boolean
  description?: string | null
  /** Most attempts in flight to this endpoint at once, per dispatcher process (default: no cap). */
  maxInFlight?: number | null
  /** Most attempts started per second, per dispatcher process (default: no cap); may be fractional. */
  ratePerSecond?: number | null
}

/** Fields `outbox.endpoints.update` can change. */
export type EndpointPatch = Partial<Omit<EndpointInput, 'collection'>> & {
  /* `tenant` may be given only as the endpoint's own: anything else is a TenantChangeError. */
  /**
   * Lets credentials the receiver sees in clear (Basic token, bearer token, OAuth2 client
   * credentials, secret headers) follow a URL change. Without it, an update that changes the
   * URL must supply them again. Signing keys always stay.
   */
  keepCredentials?: boolean
}

/** Input of `outbox.endpoints.upsert`: an endpoint keyed by its (tenant, name). */
export type EndpointUpsert = EndpointInput & {
  name: string
  /** As on `update`: lets clear-text credentials follow a URL change of an existing endpoint. */
  keepCredentials?: boolean
}

/** What `upsert` returns: the endpoint, and whether it was created (secrets appear only then). */
export interface UpsertedEndpoint extends EndpointWithSecrets {
  /** True when no endpoint had the name and this one was created; false when it was updated. */
  created: boolean
}

/** Options of `outbox.endpoints.rotateSecret`. */
export interface RotateSecretOptions {
  /** The new `whsec_…` secret; generated (and returned once) when absent. */
  secret?: string
  /** How long the previous secret keeps signing (default: `security.hmac.rotationWindowMs`, 24 h). */
  windowMs?: number
}

/** An endpoint as shown to callers: secrets in `auth` are redacted. */
export type Endpoint = EndpointRecord

/** What `create` (and an update that generates secrets) returns: secrets appear here once. */
export interface EndpointWithSecrets extends Endpoint {
  /** Generated secrets (e.g. `{ token }`), shown once and never again. */
  secrets?: Record<string, string>
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
    const view: EndpointWithSecrets = { ...e, ...this.#security.view(e) }
    if (secrets && Object.keys(secrets).length > 0) view.secrets = secrets
    return view
  }

  /**
   * Registers an endpoint. Generated secrets are in `secrets`, once: the `whsec_…` signing
   * `secret` of every endpoint but `auth: { type: 'none' }`, and the scheme's own (a Basic token).
   */
  async create(input: EndpointInput): Promise<EndpointWithSecrets> {
    if (!input || typeof input !== 'object') throw new ValidationError('endpoint input must be an object')
    const tenant = checkTenant(input.tenant)
    const name = checkEndpointName(input.name)
    const url = validateEndpointUrl(input.url, this.#ctx.allowHttp, this.#ctx.transports)
    const events = checkEvents(input.events, 'endpoint')
    const headers = checkHeaders(input.headers)
    const publicHeaders = checkHeaders(input.publicHeaders, 'publicHeaders')
    const timeoutMs = checkTimeout(input.timeoutMs)
    const maxInFlight = checkMaxInFlight(input.maxInFlight)
    const ratePerSecond = checkRate(input.ratePerSecond)
    if (!(await this.#ctx.store.catalog.getCollection({ name: input.collection })))
      throw new ValidationError(
        `unknown collection "${input.collection}"; create it with outbox.collections.upsert first`,
        'UNKNOWN_COLLECTION',
      )
    const now = this.#ctx.clock.now()
    const id = newId(now)
    await checkNameFree(this.#ctx.store.catalog, tenant, name, id)
    const auth = await this.#security.prepare({ endpoint: { id, tenant, url }, previous: null, auth: input.auth, headers, publicHeaders })
    const record: EndpointRecord = {
      id,
      tenant,
      name,
      collection: input.collection,
      url,
      enabled: input.enabled ?? true,
      disabledReason: input.enabled === false ? 'created disabled' : null,
      events,
      headers: auth.headers,
      timeoutMs,
      success: input.success ?? null,
      appendRequestId: input.appendRequestId ?? false,
      auth: auth.auth,
      description: input.description ?? null,
      maxInFlight,
      ratePerSecond,
      pausedUntil: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    }
    if (tenant !== null) await this.#ctx.store.catalog.ensureTenant({ tenant, now })
    await this.#ctx.store.catalog.insertEndpoint({ endpoint: record })
    this.#ctx.changed()
    return this.#view(record, auth.revealed)
  }

  /**
   * Changes URL, events, headers, auth, status…; fields left out keep their value. A URL change
   * keeps signing keys but not credentials the receiver sees in clear: supply those again, or
   * pass `keepCredentials: true` ({@link CredentialsUrlChangeError} otherwise).
   */
  async update(id: string, patch: EndpointPatch, options?: TenantScope): Promise<EndpointWithSecrets> {
    const current = await this.#find(id, options)
    if (patch && 'tenant' in patch && patch.tenant !== undefined && (patch.tenant ?? null) !== current.tenant)
      throw new TenantChangeError(id, current.tenant, patch.tenant)
    const next: EndpointRecord = { ...current, updatedAt: this.#ctx.clock.now() }
    if (patch.name !== undefined) {
      next.name = checkEndpointName(patch.name)
      await checkNameFree(this.#ctx.store.catalog, current.tenant, next.name, id)
    }
    if (patch.url !== undefined) next.url = validateEndpointUrl(patch.url, this.#ctx.allowHttp, this.#ctx.transports)
    if (patch.events !== undefined) next.events = checkEvents(patch.events, 'endpoint')
    const headers = patch.headers === undefined ? undefined : checkHeaders(patch.headers)
    const publicHeaders = patch.publicHeaders === undefined ? undefined : checkHeaders(patch.publicHeaders, 'publicHeaders')
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
    if (patch.url !== undefined || patch.auth !== undefined || headers || publicHeaders) {
      const prepared = await this.#security.prepare({
        endpoint: next,
        previous: current,
        auth: patch.auth,
        headers,
        publicHeaders,
        keepCredentials: patch.keepCredentials === true,
      })
      Object.assign(next, { auth: prepared.auth, headers: prepared.headers })
      revealed = prepared.revealed
    }
    if (!(await this.#ctx.store.catalog.updateEndpoint({ endpoint: next }))) throw new NotFoundError('endpoint', id)
    this.#ctx.changed()
    return this.#view(next, revealed)
  }

  /**
   * Creates the endpoint named `input.name` for `input.tenant`, or updates the one that has the
   * name already (fields left out keep their value, as on `update`): set-up code can run at
   * every start without adding endpoints. Secrets are returned only when it is created; read
   * the signing secret again with `revealSecret`. Moving it to another collection is refused.
   */
  async upsert(input: EndpointUpsert): Promise<UpsertedEndpoint> {
    if (!input || typeof input !== 'object') throw new ValidationError('endpoint input must be an object')
    const tenant = checkTenant(input.tenant)
    const name = checkEndpointName(input.name)
    if (name === null) throw new ValidationError('endpoints.upsert needs a name, the key it finds the endpoint by')
    const existing = await this.#ctx.store.catalog.getEndpointByName({ tenant, name })
    if (!existing) {
      try {
        return { ...(await this.create(input)), created: true }
      } catch (err) {
        // Another process created it first: update that one instead.
        if (!(await this.#ctx.store.catalog.getEndpointByName({ tenant, name }))) throw err
        return this.upsert(input)
      }
    }
    if (input.collection !== existing.collection)
      throw new ValidationError(
        `endpoint "${name}" is in collection "${existing.collection}", not "${input.collection}"; delete it to move it`,
      )
    const { collection: _c, tenant: _t, ...patch } = input
    return { ...(await this.update(existing.id, patch)), created: false }
  }

  /**
   * Starts a rotation of the endpoint's signing secret: the new one (given, or generated and
   * returned once in `secrets.secret`) signs at once, the previous one keeps signing alongside
   * it for `windowMs`. An endpoint from an earlier release without one gets its first.
   */
  async rotateSecret(id: string, options: RotateSecretOptions = {}, scope?: TenantScope): Promise<EndpointWithSecrets> {
    const current = await this.#find(id, scope)
    const prepared = await this.#security.prepare({ endpoint: current, previous: current, rotateSecret: options })
    const next = { ...current, auth: prepared.auth, headers: prepared.headers, updatedAt: this.#ctx.clock.now() }
    if (!(await this.#ctx.store.catalog.updateEndpoint({ endpoint: next }))) throw new NotFoundError('endpoint', id)
    return this.#view(next, prepared.revealed)
  }

  /**
   * The endpoint's signing secrets in clear: for a portal that shows a customer their
   * `whsec_…` again on request, behind the host's own authorisation. Nothing else reveals them.
   */
  async revealSecret(id: string, options?: TenantScope): Promise<EndpointSigningSecrets> {
    const e = await this.#find(id, options)
    return this.#security.signingSecrets(e)
  }

  /**
   * Rewrites credentials stored by an earlier release in the current layout: secrets bound to
   * their endpoint, custom headers encrypted with them (all count as secret; mark public ones
   * again with `publicHeaders`). Run it once after upgrading, then set
   * `security.acceptUnboundSecrets: false`. Endpoints whose auth was never applied (stored by
   * an outbox without security) are left as they are and listed in `unapplied`.
   */
  async resealSecrets(): Promise<{ resealed: number; unapplied: string[] }> {
    let resealed = 0
    const unapplied: string[] = []
    for (const e of await this.#ctx.store.catalog.listEndpoints({})) {
      const prepared = await Promise.resolve(this.#security.reseal(e)).catch((err: unknown) => {
        if (!(err instanceof AuthNotApplicableError)) throw err
        unapplied.push(e.id)
        return null
      })
      if (!prepared) continue
      await this.#ctx.store.catalog.updateEndpoint({ endpoint: { ...e, auth: prepared.auth, headers: prepared.headers } })
      resealed++
    }
    return { resealed, unapplied }
  }

  /**
   * Stops sending to the endpoint. Deliveries already owed to it wait until it is enabled
   * again; messages notified while it is disabled are not planned for it at all.
   */
  disable(id: string, reason = 'disabled by request', options?: TenantScope): Promise<Endpoint> {
    return this.#setEnabled(id, false, reason, options)
  }

  /**
   * Resumes sending to the endpoint, with a fresh circuit breaker. Deliveries that waited go
   * out; those dead-lettered meanwhile can be sent with `outbox.deadLetters.replay`.
   */
  enable(id: string, options?: TenantScope): Promise<Endpoint> {
    return this.#setEnabled(id, true, null, options)
  }

  /** The stored endpoint when it is in the caller's scope; a {@link NotFoundError} otherwise. */
  async #find(id: string, options: TenantScope | undefined): Promise<EndpointRecord> {
    const scope = scopeOf(options)
    return scoped(await this.#ctx.store.catalog.getEndpoint({ id }), scope, 'endpoint', id)
  }

  async #setEnabled(id: string, enabled: boolean, reason: string | null, options?: TenantScope): Promise<Endpoint> {
    const current = await this.#find(id, options)
    const next = { ...current, enabled, disabledReason: reason, updatedAt: this.#ctx.clock.now() }
    if (enabled) Object.assign(next, { pausedUntil: null, failingSince: null })
    await this.#ctx.store.catalog.updateEndpoint({ endpoint: next })
    this.#ctx.changed()
    return this.#view(next)
  }

  /** The endpoint (secrets redacted), or a {@link NotFoundError} (also when it is another tenant's than `tenant`). */
  async get(id: string, options?: TenantScope): Promise<Endpoint> {
    return this.#view(await this.#find(id, options))
  }

  /** Endpoints, optionally of one tenant, collection or state, secrets redacted. */
  async list(query: TenantScope & { collection?: string; enabled?: boolean } = {}): Promise<Endpoint[]> {
    const tenant = scopeOf(query)
    const { tenant: _t, ...rest } = query
    return (await this.#ctx.store.catalog.listEndpoints({ ...rest, ...(tenant !== undefined && { tenant }) })).map((e) => this.#view(e))
  }

  /** Deletes the endpoint; its pending deliveries fail with "endpoint was deleted". */
  async delete(id: string, options?: TenantScope): Promise<void> {
    await this.#find(id, options)
    if (!(await this.#ctx.store.catalog.deleteEndpoint({ id }))) throw new NotFoundError('endpoint', id)
    this.#ctx.changed()
  }
}
