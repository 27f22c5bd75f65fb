/**
 * A customer's receiver for every seed platform, verifying each scheme: FrankieOne v1
 * (requestId in the path), FrankieOne v2 (RS256 JWT checked against the service's JWKS),
 * Attestr (`Basic <token>`), Incode (OAuth2 bearer from its own token endpoint, plus custom
 * headers). Every webhook is also signed the Standard Webhooks way, and the receiver checks
 * that signature with the `standardwebhooks` package and the endpoint's `whsec_…` secret. It
 * logs what it got and can be told how to answer, for demos and tests.
 *
 * Run it with `pnpm --filter @hookbox/example-express receiver` (PORT, default 4000; APP_URL,
 * default http://127.0.0.1:3000, for the JWKS).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import express, { type Express, type Request, type Response } from 'express'
import { Webhook } from 'standardwebhooks'
import { AuthError, verifyJwt, type OutboxSecurity } from '@hookbox/core'

type JSONWebKeySet = Awaited<ReturnType<OutboxSecurity['jwks']>>

/** How the receiver answers one request: a status, or a status with a content type and body. */
export type Reply = number | { status: number; contentType?: string; body?: string }

/** One request the receiver got, with the verdict of its auth check. */
export interface Received {
  /** `v1/EVENT-a`, `v2/main`, `attestr/main`, `incode/main`: platform and endpoint name. */
  key: string
  path: string
  /** The `{requestId}` FrankieOne appends to the path, when present. */
  requestId?: string
  headers: Request['headers']
  body: any
  /** What the checks found: `jwt iss=… sub=…`, `basic ok`, `bearer ok`, `signed`, or why one failed. */
  auth: string
  /** The status answered, and the content type when there was a body. */
  status: number
  contentType?: string
}

/** Options of {@link createReceiver}. */
export interface ReceiverOptions {
  /** The service's JWKS, for FrankieOne v2 JWTs. */
  jwksUrl: string
  /** Client credentials the token endpoint accepts (Incode OAuth2). */
  oauth: { clientId: string; clientSecret: string; ttlSeconds?: number }
  /** Static bearer tokens also accepted by the Incode route. */
  staticBearerTokens?: string[]
  /** Current time in ms for JWT checks (default `Date.now`); tests pass their ManualClock. */
  now?: () => number
  /** Where to log each request (default: nowhere). */
  log?: (line: string) => void
}

/** The receiver app and its controls. */
export interface Receiver {
  app: Express
  received: Received[]
  /** Attestr tokens the customer saved from registration (shown once). */
  attestrTokens: Set<string>
  /** The `whsec_…` signing secret of each endpoint, by its URL path (e.g. `/attestr/main`). */
  signingSecrets: Map<string, string>
  /** Saves the signing secret of the endpoint at `url`. */
  trust(url: string, secret: string): void
  /** Access tokens issued by `/oauth/token`. */
  readonly tokensIssued: number
  /** Answers the next requests to `key` with these replies, one each, then the default again. */
  script(key: string, ...replies: Reply[]): void
  /** Changes the default answer of `key`. */
  reply(key: string, reply: Reply): void
}

const DEFAULT_REPLY: Record<string, Reply> = { v1: 200, v2: 200, attestr: 200, incode: 204 }

/** Creates the receiver app (not listening). */
export function createReceiver(options: ReceiverOptions): Receiver {
  const received: Received[] = []
  const scripts = new Map<string, Reply[]>()
  const defaults = new Map<string, Reply>()
  const attestrTokens = new Set<string>()
  const signingSecrets = new Map<string, string>()
  const issued = new Map<string, number>() // access token → expiry (ms)
  let tokensIssued = 0
  const now = options.now ?? Date.now
  let jwks: Promise<JSONWebKeySet> | null = null
  const loadJwks = (refresh = false) => {
    if (refresh || !jwks)
      jwks = fetch(options.jwksUrl).then((r) =>
        r.ok ? (r.json() as Promise<JSONWebKeySet>) : Promise.reject(new Error(`JWKS answered ${r.status}`)),
      )
    jwks.catch(() => (jwks = null))
    return jwks
  }

  /**
   * The Standard Webhooks check of a request to the endpoint at `path`: null when it is signed
   * with the endpoint's secret within 5 minutes of `now()`, else why not. `Webhook.verify`
   * reads the wall clock, and this receiver runs on the tests' clock, so it signs what it got
   * with the package and compares, then checks the timestamp against `now()`.
   */
  const signatureProblem = (req: Request, path: string): string | null => {
    const secret = signingSecrets.get(path)
    if (!secret) return `no signing secret for ${path}`
    const [id, timestamp, signature] = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => req.get(h))
    if (!id || !timestamp || !signature) return 'missing webhook-id, webhook-timestamp or webhook-signature'
    if (Math.abs(now() / 1000 - Number(timestamp)) > 300) return 'timestamp outside 5 minutes'
    const expected = new Webhook(secret).sign(id, new Date(Number(timestamp) * 1000), String(req.body ?? ''))
    return signature.split(' ').some((entry) => safeEqual(entry, expected)) ? null : 'no matching v1 signature'
  }

  const answer = (req: Request, res: Response, key: string, verdict: string, schemeFailed?: number) => {
    // The scheme's own check first (its verdict is the more telling), then the signature.
    // FrankieOne appends the requestId to the endpoint's URL.
    const endpointPath = req.params.requestId ? req.path.slice(0, req.path.lastIndexOf('/')) : req.path
    const unsigned = schemeFailed ? null : signatureProblem(req, endpointPath)
    const auth = unsigned ? `signature rejected: ${unsigned}` : verdict
    const failed = schemeFailed ?? (unsigned ? 401 : undefined)
    const queue = scripts.get(key)
    const reply: Reply = failed ?? queue?.shift() ?? defaults.get(key) ?? DEFAULT_REPLY[key.split('/')[0]!] ?? 200
    const r = typeof reply === 'number' ? { status: reply } : reply
    let body: unknown = req.body
    try {
      body = JSON.parse(String(req.body))
    } catch {}
    const contentType = r.contentType ?? (r.body === undefined && r.status === 200 ? 'application/json' : undefined)
    received.push({
      key,
      path: req.path,
      requestId: req.params.requestId as string | undefined,
      headers: req.headers,
      body,
      auth,
      status: r.status,
      ...(contentType ? { contentType } : {}),
    })
    options.log?.(`${r.status} ${key.padEnd(14)} ${auth.padEnd(28)} ${req.path} ${String(req.body)}`)
    if (r.contentType) res.type(r.contentType)
    if (r.body !== undefined) res.status(r.status).send(r.body)
    else if (r.status === 200) res.status(200).json({ success: true })
    else res.sendStatus(r.status)
  }

  const app = express()
  const raw = express.text({ type: () => true, limit: '1mb' }) // raw body: the JWT binds its digest

  // FrankieOne v1: requestId appended to the configured URL.
  app.post('/frankieone/v1/:name/:requestId', raw, (req, res) => answer(req, res, `v1/${req.params.name}`, 'signed'))

  // FrankieOne v2: RS256 JWT, iss one.frankie.api, bound to this body.
  app.post('/frankieone/v2/:name/:requestId', raw, async (req, res) => {
    const key = `v2/${req.params.name}`
    const check = async (refresh: boolean) =>
      verifyJwt({ headers: req.headers, body: String(req.body ?? '') }, await loadJwks(refresh), {
        issuer: 'one.frankie.api',
        algorithms: ['RS256'],
        now,
      })
    try {
      const { payload } = await check(false).catch((e) =>
        e instanceof AuthError && e.reason === 'unknown_key' ? check(true) : Promise.reject(e),
      )
      answer(req, res, key, `jwt iss=${payload.iss}${payload.sub ? ` sub=${payload.sub}` : ''}`)
    } catch (e) {
      answer(req, res, key, `jwt rejected: ${(e as AuthError).reason ?? (e as Error).message}`, 401)
    }
  })

  // Attestr: Authorization: Basic <token>, the token shown at registration.
  app.post('/attestr/:name', raw, (req, res) => {
    const token = /^Basic (\S+)$/.exec(req.get('authorization') ?? '')?.[1]
    const ok = token !== undefined && [...attestrTokens].some((t) => safeEqual(t, token))
    answer(req, res, `attestr/${req.params.name}`, ok ? 'basic ok' : 'basic rejected', ok ? undefined : 401)
  })

  // Incode: Authorization: Bearer <token> from /oauth/token (or a static one).
  app.post('/incode/:name', raw, (req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1] ?? ''
    const expiry = issued.get(token)
    const ok = (expiry !== undefined && expiry > now()) || (options.staticBearerTokens ?? []).some((t) => safeEqual(t, token))
    answer(req, res, `incode/${req.params.name}`, ok ? 'bearer ok' : 'bearer rejected', ok ? undefined : 401)
  })

  // The OAuth2 token endpoint (client credentials, client authenticated by HTTP Basic).
  app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
    const [id, secret] = Buffer.from((req.get('authorization') ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
      .map(decodeURIComponent)
    if (req.body?.grant_type !== 'client_credentials') return void res.status(400).json({ error: 'unsupported_grant_type' })
    if (!safeEqual(id ?? '', options.oauth.clientId) || !safeEqual(secret ?? '', options.oauth.clientSecret))
      return void res.status(401).json({ error: 'invalid_client' })
    const ttl = options.oauth.ttlSeconds ?? 3600
    const token = randomBytes(24).toString('base64url')
    issued.set(token, now() + ttl * 1000)
    tokensIssued++
    res.json({ access_token: token, token_type: 'Bearer', expires_in: ttl })
  })

  app.get('/received', (_req, res) => {
    res.json(received.map(({ headers: _h, ...r }) => r))
  })

  return {
    app,
    received,
    attestrTokens,
    signingSecrets,
    trust: (url, secret) => signingSecrets.set(new URL(url).pathname, secret),
    get tokensIssued() {
      return tokensIssued
    },
    script: (key, ...replies) => scripts.set(key, [...(scripts.get(key) ?? []), ...replies]),
    reply: (key, reply) => defaults.set(key, reply),
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

// Runnable: `pnpm --filter @hookbox/example-express receiver`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 4000)
  const receiver = createReceiver({
    jwksUrl: `${process.env.APP_URL ?? 'http://127.0.0.1:3000'}/.well-known/jwks.json`,
    oauth: {
      clientId: process.env.INCODE_CLIENT_ID ?? 'incode-demo',
      clientSecret: process.env.INCODE_CLIENT_SECRET ?? 'incode-demo-secret',
    },
    log: (line) => console.log(line),
  })
  // Paste Attestr tokens (shown once by POST /webhooks) here, comma-separated.
  for (const t of (process.env.ATTESTR_TOKENS ?? '').split(',').filter(Boolean)) receiver.attestrTokens.add(t)
  receiver.app.post('/attestr-tokens', express.json(), (req, res) => {
    receiver.attestrTokens.add(String(req.body?.token))
    res.sendStatus(204)
  })
  // The service posts each endpoint's signing secret here at start (a portal would show it
  // to the customer instead): { url, secret }.
  receiver.app.post('/signing-secrets', express.json(), (req, res) => {
    receiver.trust(String(req.body?.url), String(req.body?.secret))
    res.sendStatus(204)
  })
  receiver.app.listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}`))
}
