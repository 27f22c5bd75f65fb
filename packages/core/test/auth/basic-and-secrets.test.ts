import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AttemptEvent, Outbox } from '../../src/index.js'
import { TestReceiver } from '../../src/testing/conformance.js'
import { deliverOne, secureOutbox } from './support.js'

describe('auth: Basic token (Attestr) and secrets at rest', () => {
  let receiver: TestReceiver
  const outboxes: Outbox[] = []
  const encryptionKey = randomBytes(32).toString('base64')

  beforeEach(async () => {
    receiver = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await receiver.close()
  })

  async function setup() {
    const made = await secureOutbox({ encryptionKey })
    outboxes.push(made.outbox)
    return made
  }

  it('generates a strong token once, sends it as Basic, and never shows it again', async () => {
    const { outbox } = await setup()
    const created = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'basic' } })
    const token = created.secrets!.token!
    expect(token).toMatch(/^[\w-]{43}$/)
    expect(created.auth).toEqual({ type: 'basic', token: '[redacted]', secret: '[redacted]' })
    const attempts: AttemptEvent[] = []
    outbox.on('attempt', (a) => attempts.push(a))
    const d = await deliverOne(outbox)
    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${token}`)

    const views = JSON.stringify([await outbox.endpoints.get(created.id), await outbox.endpoints.list(), d, attempts])
    expect(views).not.toContain(token)
    expect(await outbox.endpoints.get(created.id)).not.toHaveProperty('secrets')
    // At rest: encrypted, not merely hidden.
    const stored = await outbox.store.catalog.getEndpoint({ id: created.id })
    expect(JSON.stringify(stored)).not.toContain(token)
    expect(stored!.auth).toMatchObject({ type: 'basic', enc: expect.stringMatching(/^v1:/) })
  })

  it('changes the token on update, keeps it when auth is not touched, regenerates on request', async () => {
    const { outbox } = await setup()
    const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'basic' } })
    const set = await outbox.endpoints.update(e.id, { auth: { type: 'basic', token: 'my-own-token' } })
    expect(set.secrets).toBeUndefined()
    await outbox.endpoints.update(e.id, { description: 'renamed' })
    await outbox.endpoints.update(e.id, { auth: { type: 'basic' } })
    await deliverOne(outbox)
    expect(receiver.requests[0]!.headers.authorization).toBe('Basic my-own-token')
    const regen = await outbox.endpoints.update(e.id, { auth: { type: 'basic', regenerate: true } })
    expect(regen.secrets!.token).toMatch(/^[\w-]{43}$/)
    await deliverOne(outbox)
    expect(receiver.requests[1]!.headers.authorization).toBe(`Basic ${regen.secrets!.token}`)
  })

  it('rejects bad auth input without echoing it', async () => {
    const { outbox } = await setup()
    const err = await outbox.endpoints
      .create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'basic', token: 'sec ret\nvalue' } })
      .catch((e: Error) => e)
    expect(err).toMatchObject({ code: 'VALIDATION' })
    expect((err as Error).message).not.toContain('sec ret')
    await expect(
      outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'magic' } as never }),
    ).rejects.toMatchObject({ code: 'AUTH_NOT_APPLICABLE', option: 'auth.type' })
  })

  it('fails closed with a typed reason when the encryption key is wrong', async () => {
    const { outbox, db } = await setup()
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, auth: { type: 'basic' } })
    const { createOutbox, ManualClock } = await import('../../src/index.js')
    const { sqliteStore } = await import('@hookbox/store-sqlite')
    const other = createOutbox({
      store: sqliteStore({ database: db }),
      clock: new ManualClock(Date.now()),
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] }, encryptionKey: randomBytes(32) },
    })
    outboxes.push(other)
    const d = await deliverOne(other)
    expect(receiver.requests).toHaveLength(0)
    expect(d.attemptLog[0]!.error).toMatch(/authentication failed: .*failed to decrypt \(.*cannot be decrypted/)
  })

  it('keeps secrets in clear only when no encryption key is configured, still redacted', async () => {
    const made = await secureOutbox()
    outboxes.push(made.outbox)
    const e = await made.outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/hook`,
      auth: { type: 'oauth2', token: 'static-bearer' },
    })
    expect(e.auth).toEqual({ type: 'oauth2', mode: 'static', token: '[redacted]', secret: '[redacted]' })
    await deliverOne(made.outbox)
    expect(receiver.requests[0]!.headers.authorization).toBe('Bearer static-bearer')
  })
})
