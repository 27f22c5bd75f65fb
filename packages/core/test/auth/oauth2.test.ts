import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Outbox } from '../../src/index.js'
import { TestReceiver } from '../../src/testing/conformance.js'
import { deliverOne, secureOutbox } from './support.js'
import { tokenServer } from './token-server.js'

describe('auth: OAuth2 bearer (Incode)', () => {
  let receiver: TestReceiver
  let tokens: Awaited<ReturnType<typeof tokenServer>>
  const outboxes: Outbox[] = []

  beforeEach(async () => {
    receiver = await TestReceiver.start()
    tokens = await tokenServer()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await receiver.close()
    await tokens.close()
  })

  async function setup() {
    const made = await secureOutbox({}, { dispatcher: { concurrency: 100, batchSize: 100 } })
    outboxes.push(made.outbox)
    const e = await made.outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/hook`,
      headers: { 'x-api-key': 'custom' },
      auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'hookbox', clientSecret: 'client-s3cret', scope: 'webhooks' },
    })
    return { ...made, endpoint: e }
  }

  it('fetches one token for 100 concurrent deliveries and one more after expiry', async () => {
    const { outbox, clock, endpoint } = await setup()
    expect(endpoint.auth).toMatchObject({
      type: 'oauth2',
      tokenUrl: tokens.url,
      clientId: 'hookbox',
      scope: 'webhooks',
      clientSecret: '[redacted]',
    })
    await outbox.notifyMany(Array.from({ length: 100 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    await outbox.drain()
    expect(receiver.requests).toHaveLength(100)
    expect(tokens.seen).toHaveLength(1)
    expect(tokens.seen[0]!.authorization).toBe(`Basic ${Buffer.from('hookbox:client-s3cret').toString('base64')}`)
    expect(new URLSearchParams(tokens.seen[0]!.body).get('grant_type')).toBe('client_credentials')
    expect(new Set(receiver.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer tok-1']))
    expect(receiver.requests[0]!.headers['x-api-key']).toBe('custom')

    clock.advance(3600_000) // past expiry (refreshed 60 s early)
    await outbox.notifyMany(Array.from({ length: 100 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    await outbox.drain()
    expect(tokens.seen).toHaveLength(2)
    expect(receiver.requests.slice(100).every((r) => r.headers.authorization === 'Bearer tok-2')).toBe(true)
  })

  it('refreshes once on a 401 and resends before counting a failure', async () => {
    receiver.on('/hook', (r) => (r.headers.authorization === 'Bearer tok-1' ? 401 : 200))
    const { outbox } = await setup()
    const d = await deliverOne(outbox)
    expect(tokens.seen).toHaveLength(2)
    expect(receiver.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2'])
    expect(d.state).toBe('delivered')
    expect(d.attemptLog).toHaveLength(1)
    expect(d.attemptLog[0]).toMatchObject({ outcome: 'ack', statusCode: 200 })
  })

  it('a burst of 401s still causes a single refresh', async () => {
    receiver.on('/hook', (r) => (r.headers.authorization === 'Bearer tok-1' ? 401 : 200))
    const { outbox } = await setup()
    await outbox.notifyMany(Array.from({ length: 20 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    await outbox.drain()
    expect(tokens.seen).toHaveLength(2)
    expect((await outbox.deliveries.list()).every((d) => d.state === 'delivered')).toBe(true)
  })

  it('a failing token endpoint is an authentication error without the client secret', async () => {
    const { outbox } = await setup()
    await tokens.close()
    const d = await deliverOne(outbox)
    expect(receiver.requests).toHaveLength(0)
    expect(d.attemptLog[0]).toMatchObject({ outcome: 'error' })
    expect(d.attemptLog[0]!.error).toMatch(/authentication failed: token request to http:\/\/127\.0\.0\.1:\d+\/oauth\/token failed/)
    expect(JSON.stringify(d)).not.toContain('client-s3cret')
  })
  it('does not carry the stored client secret over to a different token URL', async () => {
    // Otherwise anyone allowed to update an endpoint, but never shown its secret, could point
    // tokenUrl at a server of theirs and receive the secret in the Basic header.
    const { outbox, endpoint } = await setup()
    const other = await tokenServer()
    try {
      const moved = outbox.endpoints.update(endpoint.id, { auth: { type: 'oauth2', tokenUrl: other.url, clientId: 'hookbox' } })
      await expect(moved).rejects.toMatchObject({ code: 'AUTH_NOT_APPLICABLE', option: 'auth.clientSecret' })
      await deliverOne(outbox)
      expect(other.seen).toHaveLength(0)
      // Same token URL: the stored secret is kept, as documented.
      await outbox.endpoints.update(endpoint.id, { auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'hookbox', scope: 'more' } })
      await deliverOne(outbox)
      expect(tokens.seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from('hookbox:client-s3cret').toString('base64')}`)
    } finally {
      await other.close()
    }
  })

  it('stops reading an oversized token response instead of buffering it whole', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ access_token: 'x'.repeat(2 * 1024 * 1024), expires_in: 3600 }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const { outbox } = await secureOutbox()
      outboxes.push(outbox)
      const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
      await outbox.endpoints.create({
        collection: 'events',
        url: `${receiver.url}/hook`,
        auth: { type: 'oauth2', tokenUrl, clientId: 'a', clientSecret: 'b' },
      })
      const d = await deliverOne(outbox)
      expect(receiver.requests).toHaveLength(0)
      expect(d.attemptLog[0]!.error).toMatch(/authentication failed: token endpoint .* too large/)
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
