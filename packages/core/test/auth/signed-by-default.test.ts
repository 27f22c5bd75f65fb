import { generateKeyPairSync } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { SignatureError, verifySignature, type EndpointRecord } from '../../src/index.js'
import type { Received } from '@hookbox/core/testing'
import { insertRow } from './endpoint-rows.js'
import fixture from './fixtures/release-0.1-endpoints.json' with { type: 'json' }
import { deliverOne, useOutboxes } from './support.js'

const verifies = (secret: string, r: Received) => {
  try {
    new Webhook(secret).verify(r.body, r.headers as Record<string, string>)
    return true
  } catch {
    return false
  }
}

// Issue 15, finding 2: an endpoint created as the quick start shows got no signature.
describe('signed by default', () => {
  const fx = useOutboxes()
  const setup = (security = {}) => fx.secure(security)

  it('gives an endpoint created without auth a whsec_ secret, shown once, that standardwebhooks verifies', async () => {
    const { outbox } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook` })
    const secret = e.secrets!.secret!
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(e.auth).toEqual({ type: 'hmac', secret: '[redacted]' })
    expect(JSON.stringify([await outbox.endpoints.get(e.id), await outbox.endpoints.list()])).not.toContain(secret.slice(6))
    const d = await deliverOne(outbox, { entityId: 'e1' })
    const [req] = fx.receiver.requests
    expect(new Webhook(secret).verify(req!.body, req!.headers as Record<string, string>)).toEqual({ entityId: 'e1' })
    expect(verifySignature({ headers: req!.headers, body: req!.body }, secret).id).toBe(d.messageId)
  })

  it('reveals the secret again only through revealSecret, and rotates it with overlap', async () => {
    const { outbox, clock } = await setup({ hmac: { rotationWindowMs: 60 * 60_000 } })
    const e = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook` })
    const first = e.secrets!.secret!
    expect(await outbox.endpoints.revealSecret(e.id)).toEqual({ secret: first, previous: [] })

    const rotated = await outbox.endpoints.rotateSecret(e.id)
    const second = rotated.secrets!.secret!
    expect(second).not.toBe(first)
    expect(rotated.auth).toEqual({ type: 'hmac', secret: '[redacted]', rotationEndsAt: clock.now() + 60 * 60_000 })
    expect(await outbox.endpoints.revealSecret(e.id)).toEqual({
      secret: second,
      previous: [{ secret: first, expiresAt: clock.now() + 60 * 60_000 }],
    })
    await deliverOne(outbox)
    expect([verifies(first, fx.receiver.requests[0]!), verifies(second, fx.receiver.requests[0]!)]).toEqual([true, true])

    clock.advance(61 * 60_000)
    await deliverOne(outbox)
    const after = { headers: fx.receiver.requests[1]!.headers, body: fx.receiver.requests[1]!.body }
    expect(() => verifySignature(after, first, { now: () => clock.now() })).toThrow(SignatureError)
    expect(verifySignature(after, second, { now: () => clock.now() }).version).toBe('v1')
    expect(await outbox.endpoints.revealSecret(e.id)).toEqual({ secret: second, previous: [] })
    // A caller-chosen secret, with no overlap.
    const mine = `whsec_${Buffer.alloc(32, 9).toString('base64')}`
    expect((await outbox.endpoints.rotateSecret(e.id, { secret: mine, windowMs: 0 })).secrets).toBeUndefined()
    expect(await outbox.endpoints.revealSecret(e.id)).toEqual({ secret: mine, previous: [] })
  })

  it('signs endpoints of every other scheme too, besides their own credential', async () => {
    const { outbox } = await setup()
    const jwtKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const schemes = {
      basic: { type: 'basic' },
      static: { type: 'oauth2', token: 'static-bearer' },
      jwt: { type: 'jwt', privateKey: jwtKey, alg: 'EdDSA' },
      ed25519: { type: 'ed25519' },
    } as const
    const secrets: Record<string, string> = {}
    for (const [name, auth] of Object.entries(schemes)) {
      const e = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/${name}`, auth })
      expect(e.auth).toMatchObject({ type: auth.type, secret: '[redacted]' })
      secrets[name] = e.secrets!.secret!
    }
    await deliverOne(outbox)
    for (const name of Object.keys(schemes)) {
      const [req] = fx.receiver.to(`/${name}`)
      expect(verifies(secrets[name]!, req!), name).toBe(true)
    }
    expect(fx.receiver.to('/basic')[0]!.headers.authorization).toMatch(/^Basic /)
    expect(fx.receiver.to('/jwt')[0]!.headers.authorization).toMatch(/^Bearer ey/)
    expect(String(fx.receiver.to('/ed25519')[0]!.headers['webhook-signature'])).toMatch(/^v1a,\S+ v1,\S+$/)
  })

  it("makes { type: 'none' } the explicit opt-out: no secret, no signature", async () => {
    const { outbox } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook`, auth: { type: 'none' } })
    expect(e.secrets).toBeUndefined()
    expect(e.auth).toEqual({ type: 'none' })
    await deliverOne(outbox)
    expect(fx.receiver.requests[0]!.headers).not.toHaveProperty('webhook-signature')
    await expect(outbox.endpoints.revealSecret(e.id)).rejects.toMatchObject({ code: 'NOT_SIGNED' })
    await expect(outbox.endpoints.rotateSecret(e.id)).rejects.toMatchObject({ code: 'NOT_SIGNED' })
  })

  it('keeps an endpoint an earlier release created without auth unsigned until rotateSecret gives it a secret', async () => {
    const { outbox, db } = await setup({ encryptionKey: fixture.encryptionKey })
    const plain = { tenant: null, name: null, ...fixture.endpoints.plain } as EndpointRecord
    insertRow(db, { ...plain, url: `${fx.receiver.url}/plain` })
    await deliverOne(outbox)
    expect(fx.receiver.requests[0]!.headers).not.toHaveProperty('webhook-signature')
    expect(fx.receiver.requests[0]!.headers['x-tenant']).toBe('acme')
    const { secrets } = await outbox.endpoints.rotateSecret(plain.id)
    await deliverOne(outbox)
    expect(verifies(secrets!.secret!, fx.receiver.requests[1]!)).toBe(true)
    expect(fx.receiver.requests[1]!.headers['x-tenant']).toBe('acme')
  })
})
