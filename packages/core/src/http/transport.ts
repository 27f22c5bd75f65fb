import { Agent, errors, type Dispatcher } from 'undici'
import { blockedCause } from '../ssrf/blocked-cause.js'
import { CappedResponse, type ResponseOutcome } from './capped-response.js'
import type { OutgoingRequest, SendResult, Transport, TransportErrorKind } from '../transport/transport.js'

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Keep-alive connections per origin (default 16). */
  connectionsPerOrigin?: number
  /** Bytes of each response body kept for the attempt log (default 1024). */
  snippetBytes?: number
  /** Bytes read from a response before the connection is dropped (default 64 KiB). */
  maxResponseBytes?: number
  /** Extra options for undici's `Agent` (e.g. `connect` TLS options); the SSRF guard wraps `connect`. */
  agentOptions?: Agent.Options
  /**
   * Overrides the dispatcher entirely. The SSRF guard cannot see the connections of a
   * dispatcher it did not build, so `createOutbox` accepts one only together with
   * `security.ssrf.enabled: false`.
   */
  dispatcher?: Dispatcher
}

/**
 * Sends webhook POSTs over undici with a keep-alive pool per origin. Redirects are never
 * followed, the whole attempt is bounded by one timeout, and at most `maxResponseBytes` of a
 * body is read, so a slow, huge or hostile receiver cannot stall a dispatcher.
 */
export class HttpTransport implements Transport {
  readonly schemes = ['http:', 'https:'] as const
  readonly #dispatcher: Dispatcher
  readonly #owned: boolean
  readonly #snippetBytes: number
  readonly #maxResponseBytes: number
  /** Parsed URLs by endpoint id, and by URL for a request without one: see {@link #target}. */
  readonly #byEndpoint = new Map<string, Target>()
  readonly #byUrl = new Map<string, Target>()

  constructor(options: HttpTransportOptions = {}) {
    this.#owned = !options.dispatcher
    this.#dispatcher =
      options.dispatcher ??
      new Agent({ connections: options.connectionsPerOrigin ?? 16, keepAliveTimeout: 10_000, ...options.agentOptions })
    this.#snippetBytes = options.snippetBytes ?? 1024
    this.#maxResponseBytes = Math.max(options.maxResponseBytes ?? 64 * 1024, this.#snippetBytes)
  }

  /** Sends one request; never throws. */
  send(req: OutgoingRequest & { endpointId?: string }): Promise<SendResult> {
    const started = performance.now()
    return new Promise((resolve) => {
      // One unref'd timer per request, cleared once it is over (AbortSignal.timeout()'s outlives it).
      let timer: NodeJS.Timeout | undefined
      const reading = new CappedResponse(this.#snippetBytes, this.#maxResponseBytes, (outcome) => {
        clearTimeout(timer)
        resolve(resultOf(outcome, Math.round(performance.now() - started)))
      })
      try {
        const { origin, path } = this.#target(req.url, req.endpointId)
        timer = setTimeout(timeOut, req.timeoutMs, reading).unref()
        // dispatch() with a handler of our own: request()'s body stream and abort signal cost a third of a POST.
        // undici's own timeouts are off (0): the timer above ends the attempt first anyway (theirs start
        // later, when the request is written), and given the time left, a delay that differs on every
        // request, undici drops and creates its parser timer per request instead of refreshing it.
        this.#dispatcher.dispatch(
          { origin, path, method: 'POST', headers: req.headers, body: req.body, headersTimeout: 0, bodyTimeout: 0 },
          reading,
        )
      } catch (err) {
        reading.onError(err as Error)
      }
    })
  }

  /**
   * Origin and path of a URL, parsed once per endpoint (its URL repeats on every attempt). Kept by
   * endpoint id, not by URL: one entry per endpoint, so the bound follows the endpoints this
   * process sends to (the routing in memory holds them all anyway), and URLs made unique by an
   * appended request id replace their endpoint's entry instead of filling the cache. Keyed by URL
   * and cleared at 1,024, 10,000 tenants × 3 endpoints were parsed again on nearly every send.
   */
  #target(url: string, endpointId: string | undefined): Target {
    const cache = endpointId === undefined ? this.#byUrl : this.#byEndpoint
    const key = endpointId ?? url
    let t = cache.get(key)
    if (t?.url !== url) {
      const u = new URL(url)
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${u.protocol}`)
      t = { url, origin: u.origin, path: `${u.pathname}${u.search}` }
      if (cache.size >= (endpointId === undefined ? 1024 : MAX_ENDPOINTS)) cache.clear()
      cache.set(key, t)
    }
    return t
  }

  /**
   * Closes pooled connections (only those this transport created), waiting at most
   * `timeoutMs` for requests still in flight before cutting them off.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    if (!this.#owned) return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)))
    const closed = await Promise.race([this.#dispatcher.close().then(() => 'closed' as const), late])
    clearTimeout(timer)
    if (closed === 'late') await this.#dispatcher.destroy()
  }
}

/** Endpoints whose parsed URL is kept: well above 10,000 tenants × 3 endpoints. */
const MAX_ENDPOINTS = 100_000

interface Target {
  /** The URL parsed (an endpoint's URL may change, or carry a request id). */
  url: string
  origin: string
  path: string
}

function timeOut(reading: CappedResponse): void {
  reading.timeout()
}

function resultOf(outcome: ResponseOutcome, latencyMs: number): SendResult {
  if (!outcome.ok) return { ok: false, latencyMs, error: classify(outcome.error, outcome.timedOut) }
  return {
    ok: true,
    latencyMs,
    response: {
      status: outcome.status,
      contentType: outcome.contentType,
      retryAfterMs: parseRetryAfter(outcome.retryAfter),
      snippet: outcome.snippet,
    },
  }
}

function classify(err: unknown, timedOut: boolean): { kind: TransportErrorKind; message: string } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (
    timedOut ||
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError ||
    err instanceof errors.ConnectTimeoutError
  )
    return { kind: 'timeout', message: 'timed out' }
  const ssrf = blockedCause(err)
  if (ssrf) return { kind: 'blocked', message: ssrf.message ?? 'blocked address' }
  const code = e?.code ?? e?.cause?.code
  if (err instanceof errors.SocketError || (code && /^(ECONN|EPIPE|ENOTFOUND|EAI_|EHOST|ENETUNREACH|UND_ERR_SOCKET)/.test(code)))
    return { kind: 'connection', message: code ? `${code}: ${e.message ?? ''}`.trim() : (e.message ?? 'connection error') }
  return { kind: 'other', message: e?.message ?? String(err) }
}

/** Parses `Retry-After` as seconds or an HTTP date; null when absent or unusable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}
