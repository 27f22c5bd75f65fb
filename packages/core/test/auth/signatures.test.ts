import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateEd25519Pair, generateHmacSecret, SignatureError, verifySignature, type Outbox } from '../../src/index.js'
import { TestReceiver, type Received } from '../../src/testing/conformance.js'
import { deliverOne, secureOutbox } from './support.js'

const asRequest = (r: Received) => ({ headers: r.headers, body: r.body })
const reason = (f: () => unknown) => {
  try {
    f()
    return 'accepted'
  } catch (e) {
    expect(e).toBeInstanceOf(SignatureError)
    return (e as SignatureError).reason
  }
}

describe('auth: Standard Webhooks signatures', () => {
  let receiver: TestReceiver
  const outboxes: Outbox[] = []

  beforeEach(async () => {
    receiver = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await receiver.close()
  })

  async function setup(security = {}) {
    const made = await secureOutbox(security)
    outboxes.push(made.outbox)
    return made
  }

  it('HMAC v1: generated whsec_ secret shown once; the standardwebhooks library verifies the request', async () => {
    const { outbox } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'hmac' } })
    const secret = e.secrets!.secret!
    expect(secret).toMatch(/^whsec_/)
    expect(e.auth).toEqual({ type: 'hmac', secret: '[redacted]' })
    const d = await deliverOne(outbox, { entityId: 'e1', note: 'ünïcode' })
    const req = receiver.requests[0]!
    expect(req.headers['webhook-id']).toBe(d.messageId)
    expect(req.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    expect(new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).toEqual({ entityId: 'e1', note: 'ünïcode' })
    expect(verifySignature(asRequest(req), secret)).toEqual({
      id: d.messageId,
      timestamp: Number(req.headers['webhook-timestamp']),
      version: 'v1',
    })
  })

  it('catches a changed body, a stale timestamp, a wrong secret and missing headers', async () => {
    const { outbox } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'hmac' } })
    const secret = e.secrets!.secret!
    await deliverOne(outbox)
    const req = asRequest(receiver.requests[0]!)
    expect(reason(() => verifySignature({ ...req, body: req.body + ' ' }, secret))).toBe('no_match')
    // Relative to the signed timestamp, not the wall clock: no margin a loaded machine can eat.
    const sentMs = Number((req.headers as Record<string, string>)['webhook-timestamp']) * 1000
    expect(reason(() => verifySignature(req, secret, { now: () => sentMs + 301_000 }))).toBe('timestamp_too_old')
    expect(reason(() => verifySignature(req, secret, { now: () => sentMs - 301_000 }))).toBe('timestamp_too_new')
    expect(reason(() => verifySignature(req, secret, { tolerance: 1000, now: () => sentMs + 301_000 }))).toBe('accepted')
    expect(reason(() => verifySignature(req, generateHmacSecret()))).toBe('no_match')
    expect(reason(() => verifySignature({ ...req, headers: { ...req.headers, 'webhook-id': 'msg_forged' } }, secret))).toBe('no_match')
    expect(reason(() => verifySignature({ body: req.body, headers: new Headers({ 'webhook-id': 'x' }) }, secret))).toBe('missing_headers')
    expect(() => new Webhook(secret).verify(req.body + ' ', req.headers as Record<string, string>)).toThrow()
  })

  it('rotation: old and new secrets both sign during the window, the old one stops after it', async () => {
    const { outbox, clock } = await setup({ hmac: { rotationWindowMs: 60 * 60_000 } })
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'hmac' } })
    const oldSecret = e.secrets!.secret!
    const rotated = await outbox.endpoints.update(e.id, { auth: { type: 'hmac', rotate: true } })
    const newSecret = rotated.secrets!.secret!
    expect(newSecret).not.toBe(oldSecret)
    expect(rotated.auth).toMatchObject({ type: 'hmac', rotationEndsAt: clock.now() + 60 * 60_000 })

    await deliverOne(outbox)
    const during = receiver.requests[0]!
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2)
    for (const s of [oldSecret, newSecret]) {
      expect(verifySignature(asRequest(during), s).version).toBe('v1')
      expect(() => new Webhook(s).verify(during.body, during.headers as Record<string, string>)).not.toThrow()
    }

    clock.advance(61 * 60_000)
    await deliverOne(outbox)
    const after = receiver.requests[1]!
    const now = () => clock.now()
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1)
    expect(reason(() => verifySignature(asRequest(after), oldSecret, { now }))).toBe('no_match')
    expect(verifySignature(asRequest(after), [oldSecret, newSecret], { now }).version).toBe('v1')
  })

  it('accepts a caller-chosen secret and rejects a weak one', async () => {
    const { outbox } = await setup()
    const mine = generateHmacSecret()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'hmac', secret: mine } })
    expect(e.secrets).toBeUndefined()
    await deliverOne(outbox)
    expect(verifySignature(asRequest(receiver.requests[0]!), mine).version).toBe('v1')
    await expect(
      outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/x`, auth: { type: 'hmac', secret: 'whsec_c2hvcnQ=' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it('Ed25519 v1a: per-endpoint key pair, public key in the view, verified with whpk_', async () => {
    const { outbox } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'ed25519' } })
    const publicKey = (e.auth as { publicKey: string }).publicKey
    expect(e.auth).toMatchObject({
      type: 'ed25519',
      keySource: 'endpoint',
      publicKey: expect.stringMatching(/^whpk_/),
      privateKey: '[redacted]',
    })
    await deliverOne(outbox)
    const req = asRequest(receiver.requests[0]!)
    expect(String(req.headers['webhook-signature'])).toMatch(/^v1a,/)
    expect(verifySignature(req, publicKey).version).toBe('v1a')
    expect(reason(() => verifySignature({ ...req, body: req.body.replace('world', 'w0rld') }, publicKey))).toBe('no_match')
    expect(reason(() => verifySignature(req, generateEd25519Pair().publicKey))).toBe('no_match')
  })

  it('Ed25519 v1a with one global key (security.ed25519)', async () => {
    const pair = generateEd25519Pair()
    const { outbox } = await setup({ ed25519: { privateKey: pair.privateKey } })
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'ed25519' } })
    expect(e.auth).toMatchObject({ keySource: 'global', publicKey: pair.publicKey })
    await deliverOne(outbox)
    expect(verifySignature(asRequest(receiver.requests[0]!), pair.publicKey).version).toBe('v1a')
  })
})
