import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import {
  createOutbox,
  ManualClock,
  policies,
  verifySignature,
  type EndpointRecord,
  type ErrorEvent,
  type Outbox,
  type SecurityOptions,
} from '../../src/index.js'
import { TestReceiver } from '@hookbox/core/testing'
import { endpointRow, insertRow, tamper } from './endpoint-rows.js'
import fixture from './fixtures/release-0.1-endpoints.json' with { type: 'json' }
import { LOCAL } from './support.js'
import { tokenServer } from './token-server.js'

const legacy = Object.fromEntries(Object.entries(fixture.endpoints).map(([k, e]) => [k, { tenant: null, ...e }])) as unknown as Record<
  keyof typeof fixture.endpoints,
  EndpointRecord
>

// Issue 15, finding 6: encryption at rest bound only the auth type, so whoever could write the
// database could point tokenUrl elsewhere and be sent the client secret, or move blobs.
describe('sealed secrets are bound to where they belong', () => {
  let receiver: TestReceiver
  let tokens: Awaited<ReturnType<typeof tokenServer>>
  let attacker: Awaited<ReturnType<typeof tokenServer>>
  let db: Database.Database
  const outboxes: Outbox[] = []
  const errors: ErrorEvent[] = []

  const open = async (security: SecurityOptions = {}) => {
    const o = createOutbox({
      store: sqliteStore({ database: db }),
      clock: new ManualClock(Date.now()),
      http: { allowHttp: true },
      security: { ssrf: { allow: LOCAL }, encryptionKey: fixture.encryptionKey, ...security },
    })
    o.on('error', (e) => errors.push(e))
    outboxes.push(o)
    await o.migrate()
    await o.collections.upsert({ name: 'events', policy: policies.fixed() })
    return o
  }
  const send = async (o: Outbox) => {
    await o.notify({ type: 'entity.changed', payload: {} })
    await o.drain()
  }
  const lastError = async (o: Outbox, endpointId: string) => {
    const deliveries = await o.deliveries.list({ endpointId })
    return (await o.deliveries.get(deliveries.at(-1)!.id)).attemptLog.at(-1)!.error
  }

  beforeEach(async () => {
    receiver = await TestReceiver.start()
    tokens = await tokenServer()
    attacker = await tokenServer()
    db = new Database(':memory:')
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await Promise.all([receiver.close(), tokens.close(), attacker.close()])
    errors.length = 0
  })

  it('does not open a blob copied to another endpoint: nothing is sent there, and an error event says why', async () => {
    const o = await open()
    const a = await o.endpoints.create({ collection: 'events', url: `${receiver.url}/a`, auth: { type: 'basic', token: 'token-of-a' } })
    const b = await o.endpoints.create({ collection: 'events', url: `${receiver.url}/b`, auth: { type: 'basic' } })
    tamper(db, b.id, { auth: endpointRow(db, a.id).auth })
    await send(o)
    expect(receiver.to('/a')[0]!.headers.authorization).toBe('Basic token-of-a')
    expect(receiver.to('/b')).toHaveLength(0)
    expect(await lastError(o, b.id)).toMatch(
      /authentication failed: the secrets of endpoint .* failed to decrypt .*copied from another endpoint/,
    )
    expect(errors).toMatchObject([{ phase: 'auth', endpointId: b.id, error: { code: 'AUTH', reason: 'undecryptable' } }])
  })

  it('binds secrets to the endpoint’s tenant: a row moved to another tenant behind Hookbox sends nothing', async () => {
    const o = await open()
    const e = await o.endpoints.create({
      tenant: 'acme',
      collection: 'events',
      url: `${receiver.url}/acme`,
      auth: { type: 'basic', token: 't' },
    })
    db.prepare("UPDATE hookbox_endpoints SET tenant = 'globex' WHERE id = ?").run(e.id)
    await o.notify({ tenant: 'globex', type: 'entity.changed', payload: {} })
    await o.drain()
    expect(receiver.to('/acme')).toHaveLength(0)
    expect(errors).toMatchObject([{ phase: 'auth', endpointId: e.id, error: { code: 'AUTH', reason: 'undecryptable' } }])
    db.prepare("UPDATE hookbox_endpoints SET tenant = 'acme' WHERE id = ?").run(e.id)
    errors.length = 0
    await o.notify({ tenant: 'acme', type: 'entity.changed', payload: {} })
    await o.drain()
    expect(receiver.to('/acme')[0]!.headers.authorization).toBe('Basic t')
    expect(errors).toEqual([])
  })

  it.each([
    ['its url', (row: ReturnType<typeof endpointRow>, r: TestReceiver) => ({ url: `${r.url}/elsewhere`, auth: row.auth })],
    ['its auth type', (row: ReturnType<typeof endpointRow>) => ({ auth: { ...row.auth, type: 'oauth2', mode: 'static' } })],
    ['its secret header names', (row: ReturnType<typeof endpointRow>) => ({ auth: { ...row.auth, headerNames: [] } })],
  ])('does not send when %s was changed behind Hookbox', async (_what, change) => {
    const o = await open()
    const e = await o.endpoints.create({ collection: 'events', url: `${receiver.url}/a`, auth: { type: 'basic' }, headers: { 'x-k': 'v' } })
    tamper(db, e.id, change(endpointRow(db, e.id), receiver))
    await send(o)
    expect(receiver.requests).toHaveLength(0)
    expect(errors).toMatchObject([{ phase: 'auth', endpointId: e.id }])
  })

  it('never sends the client secret to a token URL changed behind Hookbox', async () => {
    const o = await open()
    const auth = { type: 'oauth2', tokenUrl: tokens.url, clientId: 'hookbox', clientSecret: 'the-client-secret' }
    const e = await o.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth })
    await send(o)
    expect(tokens.seen).toHaveLength(1)
    tamper(db, e.id, { auth: { ...endpointRow(db, e.id).auth, tokenUrl: attacker.url } })
    const later = await open() // a fresh process: no token cached
    await send(later)
    expect(attacker.seen).toHaveLength(0)
    expect(errors).toMatchObject([{ phase: 'auth', endpointId: e.id, error: { reason: 'undecryptable' } }])
  })

  it('keeps rows written by release 0.1 working, rebinds them with resealSecrets, then can refuse unbound ones', async () => {
    const o = await open()
    for (const [name, e] of Object.entries(legacy)) {
      const auth = name === 'cc' ? { ...e.auth, tokenUrl: tokens.url } : e.auth
      insertRow(db, { ...e, url: `${receiver.url}/${name}`, auth })
    }
    const check = async (from: Outbox) => {
      const at = receiver.requests.length
      await send(from)
      const got = (name: string) => receiver.requests.slice(at).find((r) => r.path === `/${name}`)!
      expect(got('basic').headers).toMatchObject({ authorization: 'Basic legacy-basic-token', 'x-api-key': 'legacy-api-key' })
      expect(got('static').headers.authorization).toBe('Bearer legacy-static-bearer')
      expect(got('cc').headers.authorization).toMatch(/^Bearer tok-\d$/)
      expect(tokens.seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from('legacy-client:legacy-client-secret').toString('base64')}`)
      const asRequest = (name: string) => ({ headers: got(name).headers, body: got(name).body })
      expect(verifySignature(asRequest('hmac'), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').version).toBe('v1')
      expect(verifySignature(asRequest('ed25519'), legacy.ed25519.auth!.publicKey as string).version).toBe('v1a')
      expect(got('plain').headers['x-tenant']).toBe('acme')
      expect(receiver.requests.slice(at).find((r) => r.path === '/unapplied')).toBeUndefined()
    }
    await check(o)

    expect(await o.endpoints.resealSecrets()).toEqual({ resealed: 6, unapplied: [legacy.unapplied.id] })
    for (const name of ['basic', 'hmac', 'cc', 'static', 'ed25519', 'plain'] as const)
      expect(endpointRow(db, legacy[name].id).auth).toMatchObject({ v: 2, enc: expect.stringMatching(/^v1:/) })
    expect(await o.endpoints.resealSecrets()).toEqual({ resealed: 0, unapplied: [legacy.unapplied.id] })
    const strict = await open({ acceptUnboundSecrets: false })
    await check(strict)

    // A 0.1 blob put back by someone who can write the database: refused once resealed.
    errors.length = 0
    tamper(db, legacy.basic.id, { auth: legacy.basic.auth })
    await send(strict)
    expect(errors.filter((e) => e.endpointId === legacy.basic.id)).toMatchObject([{ phase: 'auth', error: { reason: 'unbound' } }])
    expect(await lastError(strict, legacy.basic.id)).toMatch(/acceptUnboundSecrets is false/)
  })
})
