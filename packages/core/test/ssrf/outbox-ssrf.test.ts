import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, ManualClock, policies, SsrfBlockedError, type Outbox, type SecurityOptions } from '../../src/index.js'
import { TestReceiver } from '../../src/testing/conformance.js'
import { deliverOne, LOCAL, secureOutbox } from '../auth/support.js'

describe('ssrf: outbox', () => {
  let receiver: TestReceiver
  let db: Database.Database
  const outboxes: Outbox[] = []

  /** An outbox on the shared database; `ssrf` as given (no allow-list unless passed). */
  async function make(ssrf: SecurityOptions['ssrf'] = {}) {
    const o = createOutbox({
      store: sqliteStore({ database: db }),
      clock: new ManualClock(Date.now()),
      http: { allowHttp: true },
      security: { ssrf },
    })
    outboxes.push(o)
    await o.migrate()
    await o.collections.upsert({ name: 'events', policy: policies.fixed() })
    return o
  }

  beforeEach(async () => {
    receiver = await TestReceiver.start()
    db = new Database(':memory:')
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await receiver.close()
  })

  it.each([
    'http://127.0.0.1:9/hook',
    'http://[::1]:9/hook',
    'http://[::ffff:127.0.0.1]:9/hook',
    'https://10.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data',
  ])('refuses %s at registration with a typed error', async (url) => {
    const o = await make()
    const err = await o.endpoints.create({ collection: 'events', url }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SsrfBlockedError)
    expect(err).toMatchObject({ code: 'SSRF_BLOCKED' })
    expect(await o.endpoints.list()).toEqual([])
  })

  it('refuses a private oauth2 token URL at registration', async () => {
    const o = await make()
    const err = await o.endpoints
      .create({
        collection: 'events',
        url: 'https://hooks.example.com/x',
        auth: { type: 'oauth2', tokenUrl: 'https://169.254.169.254/token', clientId: 'a', clientSecret: 'b' },
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SsrfBlockedError)
  })

  it('delivers to an allow-listed local receiver', async () => {
    const o = await make({ allow: LOCAL })
    await o.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    const d = await deliverOne(o)
    expect(d.state).toBe('delivered')
    expect(receiver.to('/hook')).toHaveLength(1)
  })

  it.each([
    ['127.0.0.1', (r: TestReceiver) => `${r.url}/hook`],
    ['localhost', (r: TestReceiver) => `${r.url.replace('127.0.0.1', 'localhost')}/hook`],
    // undici hands the connector '::1' without brackets; numeric forms are normalised by URL.
    ['::1', (r: TestReceiver) => `${r.url.replace('127.0.0.1', '[::1]')}/hook`],
    ['2130706433', (r: TestReceiver) => `${r.url.replace('127.0.0.1', '2130706433')}/hook`],
    ['0x7f.1', (r: TestReceiver) => `${r.url.replace('127.0.0.1', '0x7f.1')}/hook`],
  ])('records a connect-time refusal of %s as an error with a blocked reason', async (_name, url) => {
    // Registered through an allow-listing outbox, dispatched by one without the allow-list:
    // the check at connect time is what stops it.
    const registrar = await make({ allow: LOCAL })
    await registrar.endpoints.create({ collection: 'events', url: url(receiver) })
    const o = await make()
    const d = await deliverOne(o)
    expect(receiver.requests).toHaveLength(0)
    expect(d.attemptLog).toHaveLength(1)
    expect(d.attemptLog[0]).toMatchObject({ outcome: 'error', statusCode: null })
    expect(d.attemptLog[0]!.error).toMatch(/^blocked: address .* is loopback/)
  })

  it.each([
    ['10.0.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['::ffff:10.1.1.1', 'private'],
  ])('records a host name resolving to %s as blocked, without connecting', async (address, range) => {
    const lookups: string[] = []
    const resolve = async (host: string) => (lookups.push(host), [{ address, family: address.includes(':') ? 6 : 4 }])
    const o = await make({ resolve })
    await o.endpoints.create({ collection: 'events', url: 'http://internal.example.test:8080/hook' })
    const d = await deliverOne(o)
    expect(lookups).toEqual(['internal.example.test'])
    expect(d.attemptLog[0]).toMatchObject({ outcome: 'error', statusCode: null })
    expect(d.attemptLog[0]!.error).toContain(`blocked: address ${address} of internal.example.test is ${range}`)
  })

  it('never follows a redirect, to a private address or anywhere else', async () => {
    receiver.on('/hook', (_r, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end()
      return 'handled'
    })
    receiver.on('/moved', (_r, res) => {
      res.writeHead(307, { location: '/elsewhere' }).end()
      return 'handled'
    })
    const o = await make({ allow: LOCAL })
    await o.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    await o.endpoints.create({ collection: 'events', url: `${receiver.url}/moved` })
    const { messageId } = await o.notify({ type: 'entity.changed', payload: {} })
    await o.drain()
    const deliveries = await o.deliveries.list({ messageId })
    const attempts = (await Promise.all(deliveries.map((d) => o.deliveries.get(d.id)))).flatMap((d) => d.attemptLog)
    expect(attempts.map((a) => [a.statusCode, a.outcome]).sort()).toEqual([
      [302, 'retry'],
      [307, 'retry'],
    ])
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/hook', '/moved'])
    expect(deliveries.every((d) => d.state === 'pending')).toBe(true)
  })

  it('http.allowHttp alone does not open private addresses', async () => {
    const o = await make()
    await expect(o.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })).rejects.toBeInstanceOf(SsrfBlockedError)
  })

  it('is on by default, without any security option, and can be switched off explicitly', async () => {
    const plain = createOutbox({ store: sqliteStore({ database: db }), http: { allowHttp: true } })
    outboxes.push(plain)
    await plain.migrate()
    await plain.collections.upsert({ name: 'events' })
    await expect(plain.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })).rejects.toBeInstanceOf(SsrfBlockedError)
    const off = await make({ enabled: false })
    await off.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    expect((await deliverOne(off)).state).toBe('delivered')
  })

  it('secureOutbox helper reaches loopback', async () => {
    const { outbox } = await secureOutbox()
    outboxes.push(outbox)
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    expect((await deliverOne(outbox)).state).toBe('delivered')
  })
})
