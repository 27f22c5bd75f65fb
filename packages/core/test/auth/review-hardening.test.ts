import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { bodyDigest, createJwtSigner, createReplayCache, createSecurity, verifyJwt, verifySignature } from '../../src/index.js'
import { createSecretBox } from '../../src/auth/secret-box.js'
import { LOCAL } from './support.js'

// Defects found in the security review; each case failed before its fix.
describe('auth: review hardening', () => {
  it('verifySignature refuses an empty HMAC secret instead of accepting signatures anyone can compute', () => {
    const id = 'msg_1'
    const ts = String(Math.floor(Date.now() / 1000))
    const body = '{"forged":true}'
    // An HMAC under the empty key: what an attacker sends when WEBHOOK_SECRET is unset or ''.
    const forged = createHmac('sha256', Buffer.alloc(0)).update(`${id}.${ts}.${body}`).digest('base64')
    const req = { headers: { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${forged}` }, body }
    for (const secret of ['', 'whsec_', 'whsec_!!!!', ['whsec_']]) expect(() => verifySignature(req, secret)).toThrow(/secret/)
  })

  it('refuses at registration an HMAC secret the standardwebhooks library cannot use', async () => {
    const security = createSecurity({ ssrf: { allow: LOCAL } })
    const prepare = (secret: string) =>
      security.endpointSecurity.prepare({
        endpoint: { id: 'ep_1', url: 'https://hooks.example.com/' },
        previous: null,
        auth: { type: 'hmac', secret },
      })
    const urlSafe = `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}` // '-' and '_': Node decodes, the library throws
    expect(() => new Webhook(urlSafe)).toThrow()
    await expect(prepare(urlSafe)).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(prepare(`whsec_ ${randomBytes(32).toString('base64')}`)).rejects.toMatchObject({ code: 'VALIDATION' })
    // Canonical base64 still works, with or without the prefix.
    const good = randomBytes(32).toString('base64')
    await expect(prepare(`whsec_${good}`)).resolves.toBeTruthy()
    await expect(prepare(good)).resolves.toBeTruthy()
    await expect(prepare(`whsec_${good.replace(/=+$/, '')}`)).resolves.toBeTruthy() // the library reads unpadded alike
  })

  it('secret box refuses a truncated GCM tag (a 4-byte tag is forgeable by brute force)', () => {
    const box = createSecretBox(randomBytes(32))
    const [v, kid, iv, tag, data] = box.seal('{"token":"t"}', 'ctx').split(':')
    const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url')
    expect(() => box.open([v, kid, iv, short, data].join(':'), 'ctx')).toThrow(/cannot be decrypted|failed authentication/)
  })

  it('verifyJwt with a replay cache refuses a replay inside the clock tolerance after exp', async () => {
    const signer = createJwtSigner({ privateKey: generateKeyPairSync('ed25519').privateKey, alg: 'EdDSA' })
    const iat = Math.floor(Date.now() / 1000)
    const body = '{"a":1}'
    const token = await signer.sign({ iss: 'i', iat, exp: iat + 300, jti: 'att_1', body_sha256: bodyDigest(body) })
    const req = { headers: { authorization: `Bearer ${token}` }, body }
    const jwks = await signer.jwks()
    const replay = createReplayCache()
    await verifyJwt(req, jwks, { replay, now: () => (iat + 299) * 1000 })
    // 2 s past exp is still inside the default 5 s tolerance, so the signature check passes;
    // the replay cache must remember the jti at least that long.
    await expect(verifyJwt(req, jwks, { replay, now: () => (iat + 302) * 1000 })).rejects.toMatchObject({ reason: 'replayed' })
  })
})
