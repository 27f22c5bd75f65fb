import { generateKeyPairSync } from 'node:crypto'
import { createLocalJWKSet, exportPKCS8, generateKeyPair, jwtVerify } from 'jose'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  AuthError,
  bodyDigest,
  createJwtSigner,
  createReplayCache,
  createSecurity,
  verifyJwt,
  type JwtAuthInput,
  type Outbox,
} from '../../src/index.js'
import { TestReceiver, type Received } from '../../src/testing/conformance.js'
import { deliverOne, LOCAL, secureOutbox } from './support.js'

const asRequest = (r: Received) => ({ headers: r.headers, body: r.body })

describe('auth: JWT (FrankieOne)', () => {
  let privateKey: string
  let receiver: TestReceiver
  const outboxes: Outbox[] = []

  beforeAll(async () => {
    // A fresh RSA-4096 key, as FrankieOne uses, generated through jose alone.
    const pair = await generateKeyPair('RS256', { modulusLength: 4096, extractable: true })
    privateKey = await exportPKCS8(pair.privateKey)
  })
  beforeEach(async () => {
    receiver = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await receiver.close()
  })

  async function setup(jwt = {}, auth: JwtAuthInput = { type: 'jwt' }) {
    const security = createSecurity({ ssrf: { allow: LOCAL }, jwt: { privateKey, issuer: 'one.frankie.api', ...jwt } })
    const { outbox, clock } = await secureOutbox({}, { security })
    outboxes.push(outbox)
    const endpoint = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth })
    return { outbox, clock, security, endpoint }
  }

  it('signs RS256 with RSA-4096 and verifies with the exported JWKS using only jose', async () => {
    const { outbox, security } = await setup({}, { type: 'jwt', subject: 'agent@email.com' })
    const d = await deliverOne(outbox, { entityId: 'e1' })
    expect(d.state).toBe('delivered')
    const [req] = receiver.requests
    const token = String(req!.headers.authorization).replace(/^Bearer /, '')
    const jwks = await security.jwks()
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    expect(Buffer.from(jwks.keys[0]!.n!, 'base64url').length * 8).toBe(4096)
    expect(jwks.keys[0]).not.toHaveProperty('d')
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'one.frankie.api' })
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0]!.kid })
    expect(payload).toMatchObject({
      iss: 'one.frankie.api',
      sub: 'agent@email.com',
      webhook_id: d.messageId,
      body_sha256: bodyDigest(req!.body),
    })
    expect(payload.exp! - payload.iat!).toBe(300)
    expect(payload.jti).toBe(d.attemptLog[0]!.id)
  })

  it('verifyJwt accepts the real request and catches tampering, replay, expiry and a wrong key', async () => {
    const { outbox, security } = await setup()
    await deliverOne(outbox)
    const req = asRequest(receiver.requests[0]!)
    const jwks = await security.jwks()
    const replay = createReplayCache()
    const ok = await verifyJwt(req, jwks, { issuer: 'one.frankie.api', replay })
    expect(ok.messageId).toBe(req.headers['webhook-id'])

    const reason = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: AuthError) => (expect(e).toBeInstanceOf(AuthError), e.reason),
      )
    expect(await reason(verifyJwt(req, jwks, { issuer: 'one.frankie.api', replay }))).toBe('replayed')
    expect(await reason(verifyJwt({ ...req, body: req.body.replace('world', 'WORLD') }, jwks, { issuer: 'one.frankie.api' }))).toBe(
      'body_mismatch',
    )
    expect(await reason(verifyJwt(req, jwks, { issuer: 'one.frankie.api', now: () => Date.now() + 6 * 60_000 }))).toBe('expired')
    expect(await reason(verifyJwt(req, jwks, { issuer: 'someone.else' }))).toBe('claim_invalid')
    expect(await reason(verifyJwt({ ...req, headers: { ...req.headers, 'webhook-id': 'msg_other' } }, jwks, {}))).toBe('id_mismatch')
    expect(await reason(verifyJwt({ ...req, headers: {} }, jwks, {}))).toBe('missing_token')
    const other = createJwtSigner({ privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })
    expect(await reason(verifyJwt(req, await other.jwks(), {}))).toBe('unknown_key')
    const sameKid = { keys: [{ ...(await other.jwks()).keys[0]!, kid: jwks.keys[0]!.kid }] }
    expect(await reason(verifyJwt(req, sameKid, {}))).toBe('bad_signature')
  })

  it('binds every attempt: a retry carries a new jti over the same message id', async () => {
    receiver.on('/hook', (_r, _res, n) => (n === 1 ? 503 : 200))
    const { outbox, clock, security } = await setup()
    await deliverOne(outbox)
    clock.advance(15 * 60_000)
    await outbox.drain()
    const [a, b] = receiver.requests.map(asRequest)
    const replay = createReplayCache()
    const jwks = await security.jwks()
    const first = await verifyJwt(a!, jwks, { replay, now: () => clock.now() - 15 * 60_000 })
    const second = await verifyJwt(b!, jwks, { replay, now: () => clock.now() })
    expect(first.payload.jti).not.toBe(second.payload.jti)
    expect(first.messageId).toBe(second.messageId)
  })

  it('supports a per-endpoint generated key, ES256/EdDSA, and a custom header and scheme', async () => {
    const { outbox } = await setup()
    const ec = await outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/ec`,
      auth: { type: 'jwt', generateKey: true, alg: 'ES256', header: 'X-Signature-JWT', scheme: '' },
    })
    const ed = await outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/ed`,
      auth: { type: 'jwt', generateKey: true, alg: 'EdDSA', issuer: 'tenant-7' },
    })
    expect(ec.auth).toMatchObject({
      type: 'jwt',
      keySource: 'endpoint',
      alg: 'ES256',
      privateKey: '[redacted]',
      publicJwk: { kty: 'EC', crv: 'P-256' },
    })
    expect(JSON.stringify(await outbox.endpoints.list())).not.toContain('PRIVATE KEY')
    await deliverOne(outbox)
    const ecReq = asRequest(receiver.to('/ec')[0]!)
    const edReq = asRequest(receiver.to('/ed')[0]!)
    const ecJwks = { keys: [(ec.auth as { publicJwk: never }).publicJwk] }
    await expect(verifyJwt(ecReq, ecJwks, { header: 'x-signature-jwt', scheme: '', issuer: 'one.frankie.api' })).resolves.toBeTruthy()
    await expect(verifyJwt(edReq, { keys: [(ed.auth as { publicJwk: never }).publicJwk] }, { issuer: 'tenant-7' })).resolves.toBeTruthy()
    // The global key does not verify a customer-specific token.
    await expect(verifyJwt(edReq, await createJwtSigner({ privateKey }).jwks(), {})).rejects.toMatchObject({ reason: 'unknown_key' })
  })

  it('signs through a KMS-style KeySigner without holding the private key', async () => {
    const { privateKey: kmsKey } = generateKeyPairSync('ed25519')
    const { localKeySigner } = await import('../../src/index.js')
    const inKms = localKeySigner(kmsKey, { alg: 'EdDSA', keyId: 'kms-1' })
    let calls = 0
    const signer = createJwtSigner({
      signer: { alg: 'EdDSA', keyId: 'kms-1', publicJwk: () => inKms.publicJwk(), sign: (d) => (calls++, inKms.sign(d)) },
    })
    const security = createSecurity({ ssrf: { allow: LOCAL }, jwt: { signer, issuer: 'kms-issuer' } })
    const { outbox } = await secureOutbox({}, { security })
    outboxes.push(outbox)
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'jwt' } })
    await deliverOne(outbox)
    expect(calls).toBe(1)
    const { payload } = await verifyJwt(asRequest(receiver.requests[0]!), await security.jwks(), { issuer: 'kms-issuer' })
    expect(payload.iss).toBe('kms-issuer')
  })

  it('refuses a jwt endpoint when no key is configured anywhere', async () => {
    const { outbox } = await secureOutbox()
    outboxes.push(outbox)
    await expect(
      outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'jwt' } }),
    ).rejects.toMatchObject({ code: 'AUTH_NOT_APPLICABLE', option: 'security.jwt' })
  })
})
