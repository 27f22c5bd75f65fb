/**
 * The receiver snippets of the README's security section, run as written against real
 * deliveries: a real outbox (SQLite) sends to an Express app on 127.0.0.1 whose routes are the
 * snippets. Each must accept the genuine request and reject a changed body, a replay of the same
 * request and a stale timestamp.
 */
import * as crypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import express from 'express'
import * as jose from 'jose'
import * as standardwebhooks from 'standardwebhooks'
import ts from 'typescript'
import { afterEach, describe, expect, it } from 'vitest'
import * as core from '@hookbox/core'
import { createOutbox, createSecurity, ManualClock, policies, type EndpointWithSecrets, type Outbox } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
const SNIPPETS = Object.fromEntries(
  [...README.matchAll(/<!-- receiver: (\w+) -->\s*```ts\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!] as const),
)
const MODULES: Record<string, unknown> = { express, jose, standardwebhooks, '@hookbox/core': core, 'node:crypto': crypto }

/** What the snippets may use besides their imports: the app, the host's handler, and so on. */
interface Scope {
  app: express.Express
  handle: (event: unknown) => Promise<void>
  isActiveAccessToken: (token: string) => Promise<boolean>
  env: Record<string, string>
}

/** Runs README snippets as one module, with `require` resolving their imports to real packages. */
async function runSnippets(names: string[], scope: Scope): Promise<void> {
  const source = names.map((n) => SNIPPETS[n] ?? expect.unreachable(`README has no receiver snippet "${n}"`)).join('\n')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  })
  const requireModule = (name: string) => MODULES[name] ?? expect.unreachable(`snippet imports ${name}`)
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>
  const run = new AsyncFunction('require', 'exports', 'app', 'handle', 'isActiveAccessToken', 'process', outputText)
  await run(requireModule, {}, scope.app, scope.handle, scope.isActiveAccessToken, { env: scope.env })
}

interface Scheme {
  name: string
  snippets: string[]
  path: string
  endpoint: (appUrl: string) => Record<string, unknown>
  env: (e: EndpointWithSecrets, appUrl: string) => Record<string, string>
}

const secret = (e: EndpointWithSecrets) => ({ WEBHOOK_SECRET: e.secrets!.secret! })
const SCHEMES: Scheme[] = [
  { name: 'hmac (the default)', snippets: ['signature'], path: '/hooks', endpoint: () => ({}), env: secret },
  {
    name: 'basic',
    snippets: ['signature', 'basic'],
    path: '/attestr',
    endpoint: () => ({ auth: { type: 'basic' } }),
    env: (e) => ({ ...secret(e), ATTESTR_TOKEN: e.secrets!.token! }),
  },
  {
    name: 'oauth2, static token',
    snippets: ['signature', 'oauth2'],
    path: '/incode',
    endpoint: () => ({ auth: { type: 'oauth2', token: 'static-access-token' } }),
    env: secret,
  },
  {
    name: 'oauth2, client credentials',
    snippets: ['signature', 'oauth2'],
    path: '/incode',
    endpoint: (appUrl) => ({ auth: { type: 'oauth2', tokenUrl: `${appUrl}/oauth/token`, clientId: 'hookbox', clientSecret: 'cs' } }),
    env: secret,
  },
  {
    name: 'ed25519',
    snippets: ['signature', 'ed25519'],
    path: '/signed',
    endpoint: () => ({ auth: { type: 'ed25519' } }),
    env: (e) => ({ ...secret(e), WEBHOOK_PUBLIC_KEY: (e.auth as { publicKey: string }).publicKey }),
  },
  {
    name: 'jwt',
    snippets: ['jwt'],
    path: '/frankieone',
    endpoint: () => ({ auth: { type: 'jwt' }, appendRequestId: true }),
    env: (_e, appUrl) => ({ JWKS_URL: `${appUrl}/.well-known/jwks.json` }),
  },
]

const HOP_BY_HOP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive'])
const jwtKey = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

describe('README receiver snippets against real deliveries', () => {
  let server: Server | undefined
  let outbox: Outbox | undefined
  afterEach(async () => {
    await outbox?.close()
    server?.closeAllConnections()
    await new Promise((r) => (server ? server.close(r) : r(undefined)))
  })

  it('has a snippet for the signature and for each scheme', () => {
    expect(Object.keys(SNIPPETS).sort()).toEqual(['basic', 'ed25519', 'jwt', 'oauth2', 'signature'])
  })

  it.each(SCHEMES)('$name: accepts a real delivery; rejects a changed body, a replay and a stale timestamp', async (scheme) => {
    const clock = new ManualClock(Date.now())
    const security = createSecurity({
      ssrf: { allow: ['127.0.0.1'] },
      jwt: { privateKey: jwtKey, alg: 'EdDSA', issuer: 'one.frankie.api' },
    })
    outbox = createOutbox({ store: sqliteStore({ database: new Database(':memory:') }), clock, security, http: { allowHttp: true } })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })

    // The host's side of the receiver: its JWKS and token endpoint, and a log of raw requests.
    const app = express()
    const issued = new Set<string>(['static-access-token'])
    app.get('/.well-known/jwks.json', async (_req, res) => void res.json(await security.jwks()))
    app.post('/oauth/token', (_req, res) => {
      const token = crypto.randomBytes(16).toString('hex')
      issued.add(token)
      res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 })
    })
    const captured: Array<{ url: string; headers: Record<string, string>; body: Buffer }> = []
    app.use(express.raw({ type: '*/*' }), (req, _res, next) => {
      captured.push({ url: req.originalUrl, headers: req.headers as Record<string, string>, body: Buffer.from(req.body as Buffer) })
      next()
    })
    const listening = app.listen(0, '127.0.0.1')
    server = listening
    await new Promise((r) => listening.once('listening', r))
    const appUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`

    const endpoint = await outbox.endpoints.create({ collection: 'events', url: `${appUrl}${scheme.path}`, ...scheme.endpoint(appUrl) })
    const handled: unknown[] = []
    await runSnippets(scheme.snippets, {
      app,
      handle: async (event) => void handled.push(event),
      isActiveAccessToken: async (token) => issued.has(token),
      env: scheme.env(endpoint, appUrl),
    })
    const deliver = async (payload: unknown) => {
      const { messageId } = await outbox!.notify({ type: 'entity.changed', payload })
      await outbox!.drain()
      const [d] = await outbox!.deliveries.list({ messageId })
      return (await outbox!.deliveries.get(d!.id)).attemptLog.at(-1)!
    }
    const resend = async (r: (typeof captured)[number], body: Buffer) => {
      const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !HOP_BY_HOP.has(k)))
      return (await fetch(`${appUrl}${r.url}`, { method: 'POST', headers, body })).status
    }

    const genuine = await deliver({ entityId: 'e1', state: 'PASS' })
    expect(genuine).toMatchObject({ outcome: 'ack' })
    expect(handled).toEqual([{ entityId: 'e1', state: 'PASS' }])
    const request = captured.at(-1)!

    expect(await resend(request, Buffer.from(request.body.toString().replace('PASS', 'FAIL')))).toBe(401)
    expect(await resend(request, request.body)).toBe(401)

    clock.set(Date.now() - 10 * 60_000)
    const stale = await deliver({ entityId: 'e2', state: 'PASS' })
    expect(stale).toMatchObject({ outcome: 'retry', statusCode: 401 })
    expect(handled).toHaveLength(1)
  })
})
