import Database from 'better-sqlite3'
import { Webhook } from 'standardwebhooks'
import { beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import {
  AuthNotApplicableError,
  createOutbox,
  ManualClock,
  type EndpointRecord,
  type ErrorEvent,
  type OutboxOptions,
} from '../../src/index.js'
import { endpointRow, insertRow } from './endpoint-rows.js'
import fixture from './fixtures/release-0.1-endpoints.json' with { type: 'json' }
import { LOCAL, useOutboxes } from './support.js'

// Issue 15, finding 1: on an outbox created without `security` (the README quick start's
// form), endpoint auth was stored as given and never applied.
describe('auth fails closed without a security option', () => {
  const fx = useOutboxes()
  let db: Database.Database
  beforeEach(() => {
    db = new Database(':memory:')
  })
  const open = (options: Partial<OutboxOptions> = {}) => fx.plain({ clock: new ManualClock(Date.now()), ...options }, db)
  // The quick start's outbox: no security option at all.
  const quickStart = () => open({ http: { allowHttp: true } })
  // A dispatcher on the same database allowed to reach the loopback receiver (which the
  // default SSRF guard refuses) under the name receiver.test; it adds nothing else.
  const dispatcher = () =>
    open({
      http: { allowHttp: true },
      security: { ssrf: { allow: LOCAL, resolve: async () => [{ address: '127.0.0.1', family: 4 }] } },
    })
  // The receiver by a host name: the quick start's outbox refuses loopback IPs at registration.
  const named = (path: string) => `${fx.receiver.url.replace('127.0.0.1', 'receiver.test')}${path}`

  it('applies basic and hmac auth: the token is generated and sent, the hmac endpoint is signed', async () => {
    const outbox = await quickStart()
    const basic = await outbox.endpoints.create({ collection: 'events', url: named('/basic'), auth: { type: 'basic' } })
    const hmac = await outbox.endpoints.create({ collection: 'events', url: named('/hmac'), auth: { type: 'hmac' } })
    expect(basic.secrets?.token).toMatch(/^[\w-]{43}$/)
    expect(hmac.secrets?.secret).toMatch(/^whsec_/)
    // Stored by the security layer, not as given.
    expect(endpointRow(db, basic.id).auth).toMatchObject({ type: 'basic', v: 2 })

    const sender = await dispatcher()
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await sender.drain()
    const [b] = fx.receiver.to('/basic')
    const [h] = fx.receiver.to('/hmac')
    expect(b!.headers.authorization).toBe(`Basic ${basic.secrets!.token}`)
    expect(new Webhook(hmac.secrets!.secret!).verify(h!.body, h!.headers as Record<string, string>)).toEqual({ n: 1 })
  })

  it.each([
    [{ type: 'hmac', secret: '' }, 'auth.secret'],
    [{ type: 'basic', token: '' }, 'auth.token'],
    [{ type: 'oauth2', token: '' }, 'auth.token'],
    [{ type: 'digest' }, 'auth.type'],
    [{ type: 'basic ' }, 'auth.type'],
    [{ type: 'jwt' }, 'security.jwt'],
    [{ type: 'oauth2', tokenUrl: 'https://idp.example.com/token', clientId: 'hookbox' }, 'auth.clientSecret'],
    ['hmac', 'auth'],
  ])('refuses %j at create and update with a typed error naming %s; nothing is written', async (input, option) => {
    const auth = input as never // invalid on purpose: each fails at run time, most already at compile time
    const outbox = await quickStart()
    const created = outbox.endpoints.create({ collection: 'events', url: 'https://hooks.example.com/x', auth })
    await expect(created).rejects.toBeInstanceOf(AuthNotApplicableError)
    await expect(created).rejects.toMatchObject({ code: 'AUTH_NOT_APPLICABLE', option, message: expect.stringContaining(option) })
    expect(await outbox.endpoints.list()).toEqual([])

    const existing = await outbox.endpoints.create({ collection: 'events', url: 'https://hooks.example.com/y' })
    const before = endpointRow(db, existing.id).text
    await expect(outbox.endpoints.update(existing.id, { auth, description: 'changed' })).rejects.toMatchObject({ option })
    expect(endpointRow(db, existing.id).text).toBe(before)
    expect((await outbox.endpoints.get(existing.id)).description).toBeNull()
  })

  it('does not send to an endpoint whose auth an earlier release stored as given, and says why', async () => {
    const outbox = await dispatcher()
    const unapplied = { tenant: null, name: null, ...fixture.endpoints.unapplied } as EndpointRecord
    insertRow(db, { ...unapplied, url: `${fx.receiver.url}/unapplied` })
    const errors: ErrorEvent[] = []
    outbox.on('error', (e) => errors.push(e))
    await outbox.notify({ type: 'entity.changed', payload: {} })
    await outbox.drain()
    expect(fx.receiver.requests).toHaveLength(0)
    const [delivery] = await outbox.deliveries.list({ endpointId: unapplied.id })
    const { attemptLog } = await outbox.deliveries.get(delivery!.id)
    expect(attemptLog[0]!.error).toMatch(/^other: authentication failed: .*never applied; set it again/)
    expect(errors).toMatchObject([{ phase: 'auth', endpointId: unapplied.id, error: { reason: 'not_applicable' } }])
    // Setting auth again makes it usable.
    const fixed = await outbox.endpoints.update(unapplied.id, { auth: { type: 'basic' } })
    await outbox.notify({ type: 'entity.changed', payload: {} })
    await outbox.drain()
    expect(fx.receiver.requests.at(-1)!.headers.authorization).toBe(`Basic ${fixed.secrets!.token}`)
  })

  it('refuses a custom authenticator without the endpointSecurity that stores what it applies', () => {
    expect(() => createOutbox({ store: sqliteStore({ database: db }), authenticator: { headers: () => ({}) } })).toThrow(
      /custom authenticator needs endpointSecurity/,
    )
  })
})
