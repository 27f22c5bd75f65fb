import Database from 'better-sqlite3'
import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, createSecurity, ManualClock, ValidationError, type OutboxOptions } from '../../src/index.js'
import { deliverOne, LOCAL, useOutboxes } from './support.js'
import { tokenServer } from './token-server.js'

// Issue 15, finding 7: a createSecurity() object got neither the outbox clock nor
// http.allowHttp, the error then named the option that was already set, and a blocked token
// fetch was logged as "authentication failed".
describe('createSecurity() and createOutbox() share one clock and one allowHttp', () => {
  const fx = useOutboxes()
  let tokens: Awaited<ReturnType<typeof tokenServer>>
  // Far from the wall clock, so that any use of it shows.
  const clock = new ManualClock(Date.UTC(2020, 0, 1))
  const make = (options: Partial<OutboxOptions>) => fx.plain(options)

  beforeEach(async () => {
    tokens = await tokenServer()
  })
  afterEach(() => tokens.close())

  it('runs rotation windows, token expiry and JWT times on the outbox clock', async () => {
    const privateKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const security = createSecurity({ ssrf: { allow: LOCAL }, jwt: { privateKey, alg: 'EdDSA' }, hmac: { rotationWindowMs: 60_000 } })
    const outbox = await make({ clock, security, http: { allowHttp: true } })
    const hmac = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hmac` })
    const rotated = await outbox.endpoints.update(hmac.id, { auth: { type: 'hmac', rotate: true } })
    expect(rotated.auth).toMatchObject({ rotationEndsAt: clock.now() + 60_000 })
    await outbox.endpoints.create({
      collection: 'events',
      url: `${fx.receiver.url}/oauth`,
      auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'c', clientSecret: 's' },
    })
    await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/jwt`, auth: { type: 'jwt' } })
    await deliverOne(outbox)
    const { iat, exp } = decodeJwt(fx.receiver.to('/jwt')[0]!.headers.authorization!.replace('Bearer ', ''))
    expect(iat).toBe(clock.now() / 1000)
    expect(exp).toBe(clock.now() / 1000 + 300)
    expect(tokens.seen).toHaveLength(1)
    clock.advance(3600_000) // the token's lifetime, on the outbox clock only
    await deliverOne(outbox)
    expect(tokens.seen).toHaveLength(2)
    expect(String(fx.receiver.to('/hmac').at(-1)!.headers['webhook-signature']).split(' ')).toHaveLength(1) // window over
  })

  it('admits http: token URLs by http.allowHttp, and names that option when it is off', async () => {
    const outbox = await make({ security: createSecurity({ ssrf: { allow: LOCAL } }), http: { allowHttp: true } })
    const auth = { type: 'oauth2', tokenUrl: tokens.url, clientId: 'c', clientSecret: 's' } as const
    await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook`, auth })
    await deliverOne(outbox)
    expect(fx.receiver.requests[0]!.headers.authorization).toBe('Bearer tok-1')

    const strict = await make({ security: createSecurity({ ssrf: { allow: LOCAL } }) })
    const err = await strict.endpoints.create({ collection: 'events', url: 'https://hooks.example.com/x', auth }).catch((e: Error) => e)
    expect(err).toMatchObject({ code: 'INVALID_URL' })
    expect((err as Error).message).toMatch(/^auth\.tokenUrl must use https \(set http\.allowHttp to allow http\)/)
  })

  it('refuses settings that disagree instead of picking one', () => {
    const store = () => sqliteStore({ database: new Database(':memory:') })
    expect(() => createOutbox({ store: store(), clock, security: createSecurity({ clock: new ManualClock() }) })).toThrow(ValidationError)
    expect(() => createOutbox({ store: store(), http: { allowHttp: false }, security: createSecurity({ allowHttp: true }) })).toThrow(
      /http\.allowHttp \(false\) and createSecurity\(\{ allowHttp \}\) \(true\) differ/,
    )
    const shared = createSecurity()
    createOutbox({ store: store(), clock, security: shared })
    expect(() => createOutbox({ store: store(), clock: new ManualClock(), security: shared })).toThrow(/another outbox with another clock/)
  })

  it('records a token request the SSRF guard refused as blocked, asking DNS once', async () => {
    const lookups: string[] = []
    const resolve = async (host: string) => (lookups.push(host), [{ address: '10.0.0.7', family: 4 }])
    const outbox = await make({ clock, http: { allowHttp: true }, security: { ssrf: { allow: LOCAL, resolve } } })
    await outbox.endpoints.create({
      collection: 'events',
      url: `${fx.receiver.url}/hook`,
      auth: { type: 'oauth2', tokenUrl: 'https://idp.internal/token', clientId: 'c', clientSecret: 'token-secret' },
    })
    const d = await deliverOne(outbox)
    expect(fx.receiver.requests).toHaveLength(0)
    expect(d.attemptLog[0]).toMatchObject({ outcome: 'error', statusCode: null })
    expect(d.attemptLog[0]!.error).toBe(
      'blocked: token URL https://idp.internal/token: address 10.0.0.7 of idp.internal is private; allow-list it with security.ssrf.allow',
    )
    expect(lookups).toEqual(['idp.internal'])
  })
})
