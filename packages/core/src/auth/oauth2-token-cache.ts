import { createHash } from 'node:crypto'
import pRetry, { AbortError } from 'p-retry'
import { request, type Dispatcher } from 'undici'
import type { Clock } from '../clock.js'
import { AuthError } from '../errors.js'
import { blockedCause } from '../ssrf/blocked-cause.js'

/** Client-credentials settings of one endpoint. */
export interface ClientCredentials {
  tokenUrl: string
  clientId: string
  clientSecret: string
  scope?: string
  audience?: string
  /** `basic` (HTTP Basic, RFC 6749 §2.3.1; default) or `body` (form fields). */
  clientAuth?: 'basic' | 'body'
}

/** Options of {@link OAuth2TokenCache}. */
export interface OAuth2TokenCacheOptions {
  clock: Clock
  /** Dispatcher for token requests; pass the SSRF-guarded one. */
  dispatcher?: Dispatcher
  /** Refresh this long before expiry (default 60 s, at most half the lifetime). */
  refreshSkewMs?: number
  /** Lifetime assumed when the server sends no `expires_in` (default 1 h). */
  defaultTtlMs?: number
  /** Token request timeout (default 10 s). */
  timeoutMs?: number
  /** Retries of a failed token request: network errors, 5xx and 429 only (default 2). */
  retries?: number
}

interface Entry {
  fingerprint: string
  token?: string
  refreshAt: number
  pending?: Promise<string>
}

/**
 * Client-credentials tokens per endpoint, cached until shortly before expiry. Concurrent
 * deliveries share one token request (single flight); a 401 invalidates only the token that
 * was rejected, so a burst of 401s still causes one refresh.
 */
export class OAuth2TokenCache {
  readonly #o: OAuth2TokenCacheOptions
  readonly #entries = new Map<string, Entry>()
  constructor(options: OAuth2TokenCacheOptions) {
    this.#o = options
  }

  /** A valid access token for `key` (the endpoint id). */
  get(key: string, creds: ClientCredentials): Promise<string> {
    const fingerprint = createHash('sha256').update(JSON.stringify(creds)).digest('base64url')
    let entry = this.#entries.get(key)
    if (!entry || entry.fingerprint !== fingerprint) {
      entry = { fingerprint, refreshAt: 0 }
      this.#entries.set(key, entry)
    }
    if (entry.token && this.#o.clock.now() < entry.refreshAt) return Promise.resolve(entry.token)
    if (entry.pending) return entry.pending
    const e = entry
    e.pending = this.#fetch(creds)
      .then(({ token, ttlMs }) => {
        const skew = Math.min(this.#o.refreshSkewMs ?? 60_000, ttlMs / 2)
        Object.assign(e, { token, refreshAt: this.#o.clock.now() + ttlMs - skew })
        return token
      })
      .finally(() => (e.pending = undefined))
    return e.pending
  }

  /** Drops `token` if it is still the cached one; returns whether a new one will be fetched. */
  invalidate(key: string, token: string): boolean {
    const entry = this.#entries.get(key)
    if (entry?.token === token) {
      entry.token = undefined
      entry.refreshAt = 0
    }
    return entry !== undefined
  }

  async #fetch(creds: ClientCredentials): Promise<{ token: string; ttlMs: number }> {
    const where = (() => {
      const u = new URL(creds.tokenUrl)
      return `${u.origin}${u.pathname}`
    })()
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (creds.scope) form.set('scope', creds.scope)
    if (creds.audience) form.set('audience', creds.audience)
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    if (creds.clientAuth === 'body') {
      form.set('client_id', creds.clientId)
      form.set('client_secret', creds.clientSecret)
    } else {
      const enc = (v: string) => encodeURIComponent(v)
      headers.authorization = `Basic ${Buffer.from(`${enc(creds.clientId)}:${enc(creds.clientSecret)}`).toString('base64')}`
    }
    const attempt = async () => {
      const res = await request(creds.tokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        dispatcher: this.#o.dispatcher,
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      }).catch((err: unknown) => {
        // A refused address will not become allowed by asking again.
        const blocked = blockedCause(err)
        if (blocked) throw new AbortError(new AuthError('blocked', `token URL ${where}: ${blocked.message}`, { cause: blocked }))
        throw err
      })
      const text = await readCapped(res.body, MAX_TOKEN_RESPONSE_BYTES)
      if (text === null)
        throw new AbortError(new AuthError('token_request_failed', `token endpoint ${where} answered with a body too large`))
      if (res.statusCode !== 200) {
        const err = new AuthError('token_request_failed', `token endpoint ${where} answered ${res.statusCode}${oauthError(text)}`)
        // 4xx other than 429 will not get better by asking again.
        throw res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429 ? new AbortError(err) : err
      }
      let body: { access_token?: unknown; expires_in?: unknown }
      try {
        body = JSON.parse(text)
      } catch {
        throw new AbortError(new AuthError('token_request_failed', `token endpoint ${where} answered with invalid JSON`))
      }
      if (typeof body.access_token !== 'string' || body.access_token === '')
        throw new AbortError(new AuthError('token_request_failed', `token endpoint ${where} answered without access_token`))
      const expiresIn = Number(body.expires_in)
      return { token: body.access_token, ttlMs: expiresIn > 0 ? expiresIn * 1000 : (this.#o.defaultTtlMs ?? 3_600_000) }
    }
    try {
      return await pRetry(attempt, { retries: this.#o.retries ?? 2, minTimeout: 200, maxTimeout: 2_000 })
    } catch (err) {
      if (err instanceof AuthError) throw err
      // Network failures: say where, never what was sent (the client secret).
      throw new AuthError('token_request_failed', `token request to ${where} failed: ${(err as Error).message}`)
    }
  }
}

// A token response is a few KiB at most; the token URL is tenant input, so a hostile server
// must not be able to make the process buffer an unbounded body.
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024

/** The body as UTF-8, or null (and the connection dropped) once it exceeds `max` bytes. */
async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<string | null> {
  const chunks: Buffer[] = []
  let read = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    read += chunk.length
    if (read > max) {
      body.destroy()
      return null
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The standard `error` code of an OAuth2 error response, for the message; nothing else. */
function oauthError(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? ` (${code})` : ''
  } catch {
    return ''
  }
}
