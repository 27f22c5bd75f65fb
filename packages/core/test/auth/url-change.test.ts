import { generateKeyPairSync } from 'node:crypto'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { CredentialsUrlChangeError, verifySignature } from '../../src/index.js'
import { endpointRow } from './endpoint-rows.js'
import { useOutboxes } from './support.js'

// Issue 15, finding 5: changing an endpoint's URL kept the Basic or static bearer token and
// sent it to the new URL, so whoever may update endpoints could capture it.
describe('credentials sent in clear do not follow a URL change', () => {
  const fx = useOutboxes()

  async function setup() {
    const made = await fx.secure({ encryptionKey: Buffer.alloc(32, 3) })
    const send = async () => {
      await made.outbox.notify({ type: 'entity.changed', payload: {} })
      await made.outbox.drain()
    }
    return { ...made, send }
  }

  it.each([
    ['a Basic token', { auth: { type: 'basic', token: 'basic-secret-token' } }, ['auth.token']],
    ['a static bearer token', { auth: { type: 'oauth2', token: 'static-secret-bearer' } }, ['auth.token']],
    ['secret headers', { headers: { 'x-api-key': 'header-secret-key' } }, ['headers.x-api-key']],
    [
      'OAuth2 client credentials',
      { auth: { type: 'oauth2', tokenUrl: 'https://idp.example.com/token', clientId: 'c', clientSecret: 'client-secret-value' } },
      ['auth.clientSecret'],
    ],
  ] as const)('refuses a URL change that would carry %s, writing nothing', async (_what, input, credentials) => {
    const { outbox, db, send } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/old`, ...input })
    const before = endpointRow(db, e.id)
    const err = await outbox.endpoints.update(e.id, { url: `${fx.receiver.url}/attacker`, description: 'moved' }).catch((x: unknown) => x)
    expect(err).toBeInstanceOf(CredentialsUrlChangeError)
    expect(err).toMatchObject({ code: 'CREDENTIALS_URL_CHANGE', credentials })
    expect(endpointRow(db, e.id)).toEqual(before)
    if (!JSON.stringify(input).includes('tokenUrl')) await send()
    expect(fx.receiver.to('/attacker')).toHaveLength(0)
  })

  it('lets them follow when the update supplies them again, or says keepCredentials', async () => {
    const { outbox, send } = await setup()
    const e = await outbox.endpoints.create({
      collection: 'events',
      url: `${fx.receiver.url}/a`,
      auth: { type: 'basic', token: 'first-token' },
      headers: { 'x-api-key': 'first-key' },
    })
    await outbox.endpoints.update(e.id, {
      url: `${fx.receiver.url}/b`,
      auth: { type: 'basic', token: 'second-token' },
      headers: { 'x-api-key': 'second-key' },
    })
    const regenerated = await outbox.endpoints.update(e.id, {
      url: `${fx.receiver.url}/c`,
      auth: { type: 'basic', regenerate: true },
      headers: {},
    })
    await send()
    expect(fx.receiver.to('/c')[0]!.headers.authorization).toBe(`Basic ${regenerated.secrets!.token}`)
    await outbox.endpoints.update(e.id, { url: `${fx.receiver.url}/d`, keepCredentials: true })
    await send()
    expect(fx.receiver.to('/d')[0]!.headers.authorization).toBe(`Basic ${regenerated.secrets!.token}`)
    // Partly supplied is not enough: the headers would still follow.
    const f = await outbox.endpoints.create({
      collection: 'events',
      url: `${fx.receiver.url}/e`,
      auth: { type: 'basic' },
      headers: { 'x-k': 'v' },
    })
    await expect(outbox.endpoints.update(f.id, { url: `${fx.receiver.url}/f`, auth: { type: 'basic', token: 't' } })).rejects.toMatchObject(
      {
        credentials: ['headers.x-k'],
      },
    )
  })

  it('keeps signing keys (HMAC, Ed25519, JWT), which reveal nothing to the receiver', async () => {
    const { outbox, send } = await setup()
    const jwtKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const hmac = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hmac-old` })
    const ed = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/ed-old`, auth: { type: 'ed25519' } })
    const jwt = await outbox.endpoints.create({
      collection: 'events',
      url: `${fx.receiver.url}/jwt-old`,
      auth: { type: 'jwt', privateKey: jwtKey, alg: 'EdDSA' },
    })
    for (const [e, name] of [
      [hmac, 'hmac'],
      [ed, 'ed'],
      [jwt, 'jwt'],
    ] as const) {
      const moved = await outbox.endpoints.update(e.id, { url: `${fx.receiver.url}/${name}-new` })
      expect(moved.secrets).toBeUndefined()
      expect(moved.auth).toEqual(e.auth)
    }
    await send()
    const [h] = fx.receiver.to('/hmac-new')
    expect(new Webhook(hmac.secrets!.secret!).verify(h!.body, h!.headers as Record<string, string>)).toEqual({})
    const [d] = fx.receiver.to('/ed-new')
    expect(verifySignature({ headers: d!.headers, body: d!.body }, (ed.auth as { publicKey: string }).publicKey).version).toBe('v1a')
    const [j] = fx.receiver.to('/jwt-new')
    const jwks = createLocalJWKSet({ keys: [(jwt.auth as { publicJwk: object }).publicJwk] })
    await expect(jwtVerify(j!.headers.authorization!.replace('Bearer ', ''), jwks)).resolves.toBeTruthy()
  })
})
