import { eventually } from '@hookbox/core/testing'
import { verifySignature } from '@hookbox/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPortal } from '../src/index.js'
import { call, createEndpoint, dispatch, EXAMPLES, portalFixture } from './support.js'

let f: Awaited<ReturnType<typeof portalFixture>>
beforeEach(async () => {
  f = await portalFixture()
})
afterEach(() => f.cleanup())

describe('endpoints', () => {
  it('creates an endpoint with events from the catalog, shows its secret once and never in lists', async () => {
    const r = await call(f.portal, 'POST', '/endpoints', {
      body: {
        url: `${f.receiver.url}/hook`,
        events: ['check.completed', 'check.failed'],
        description: 'main',
        headers: { 'x-api-key': 'k-123' },
      },
    })
    expect(r.status).toBe(201)
    expect(r.body.secret).toMatch(/^whsec_/)
    expect(r.body.data).toMatchObject({
      collection: 'CHECKS',
      events: ['check.completed', 'check.failed'],
      description: 'main',
      enabled: true,
      auth: 'hmac',
    })
    expect(r.body.data.headers).toEqual({ 'x-api-key': '[redacted]' })
    const id = r.body.data.id
    const list = await call(f.portal, 'GET', '/endpoints')
    expect(list.body.data.map((e: any) => e.id)).toEqual([id])
    const one = await call(f.portal, 'GET', `/endpoints/${id}`)
    for (const text of [JSON.stringify(list.body), JSON.stringify(one.body)]) {
      expect(text).not.toContain(r.body.secret)
      expect(text).not.toContain('k-123')
    }
    expect((await f.outbox.endpoints.get(id)).tenant).toBe('acme')
    expect(f.audit.map((a) => a.type)).toEqual(['portal.endpoint.created'])
    expect(f.audit[0]).toMatchObject({ tenant: 'acme', actor: 'user@acme', endpointId: id })
    expect(JSON.stringify(f.audit)).not.toContain('whsec_')
  })

  it('refuses events outside the catalog, a mix no collection takes, a private address and a tenant in the body', async () => {
    const bad = async (body: unknown) => (await call(f.portal, 'POST', '/endpoints', { body })).body.error.code
    expect(await bad({ url: `${f.receiver.url}/x`, events: ['nope.event'] })).toBe('UNKNOWN_EVENT_TYPE')
    expect(await bad({ url: `${f.receiver.url}/x`, events: ['check.failed', 'report.ready'] })).toBe('UNKNOWN_COLLECTION')
    expect(await bad({ url: 'http://10.0.0.7/hook', events: ['check.failed'] })).toBe('SSRF_BLOCKED')
    expect(await bad({ url: 'ftp://example.com/hook', events: ['check.failed'] })).toBe('INVALID_URL')
    expect(await bad({ events: ['check.failed'] })).toBe('VALIDATION')
    const r = await call(f.portal, 'POST', '/endpoints', {
      body: { url: `${f.receiver.url}/x`, events: ['check.failed'], tenant: 'other' },
    })
    expect(r.status).toBe(201)
    expect((await f.outbox.endpoints.get(r.body.data.id)).tenant).toBe('acme')
    expect(await f.outbox.endpoints.list({ tenant: 'other' })).toEqual([])
    expect((await call(f.portal, 'POST', '/endpoints', { body: '{not json' })).status).toBe(400)
  })

  it('updates URL, events, description and write-only headers; enables, disables and deletes', async () => {
    const { id } = await createEndpoint(f.portal, f.receiver, 'acme')
    const u = await call(f.portal, 'PATCH', `/endpoints/${id}`, {
      body: { url: `${f.receiver.url}/moved`, events: ['check.failed'], description: 'moved', headers: { 'x-key': 'new' } },
    })
    expect(u.status).toBe(200)
    expect(u.body.data).toMatchObject({
      url: `${f.receiver.url}/moved`,
      events: ['check.failed'],
      description: 'moved',
      headers: { 'x-key': '[redacted]' },
    })
    expect((await call(f.portal, 'PATCH', `/endpoints/${id}`, { body: { events: ['report.ready'] } })).status).toBe(400)
    expect((await call(f.portal, 'PATCH', `/endpoints/${id}`, { body: { enabled: false } })).body.error.message).toContain('enabled')
    expect((await call(f.portal, 'POST', `/endpoints/${id}/disable`)).body.data).toMatchObject({ enabled: false })
    expect((await call(f.portal, 'POST', `/endpoints/${id}/enable`)).body.data).toMatchObject({ enabled: true })
    expect((await call(f.portal, 'DELETE', `/endpoints/${id}`)).status).toBe(200)
    expect((await call(f.portal, 'GET', `/endpoints/${id}`)).status).toBe(404)
    expect(f.audit.map((a) => a.type)).toEqual([
      'portal.endpoint.created',
      'portal.endpoint.updated',
      'portal.endpoint.disabled',
      'portal.endpoint.enabled',
      'portal.endpoint.deleted',
    ])
    expect(f.audit[1]!.details).toEqual({ fields: ['url', 'events', 'description', 'headers'] })
  })

  it('reveals the signing secret on request and rotates it', async () => {
    const { id, secret } = await createEndpoint(f.portal, f.receiver, 'acme')
    const shown = await call(f.portal, 'POST', `/endpoints/${id}/secret/reveal`)
    expect(shown.body.data).toEqual({ secret, previous: [] })
    const rotated = await call(f.portal, 'POST', `/endpoints/${id}/secret/rotate`)
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(secret)
    const after = await call(f.portal, 'POST', `/endpoints/${id}/secret/reveal`)
    expect(after.body.data.secret).toBe(rotated.body.secret)
    expect(after.body.data.previous.map((p: any) => p.secret)).toEqual([secret])
    expect(f.audit.map((a) => a.type)).toContain('portal.endpoint.secret_rotated')
  })
})

describe('test sends and the delivery log', () => {
  it('sends a signed test event carrying the example payload, and logs the delivery and its attempt', async () => {
    const { id, secret } = await createEndpoint(f.portal, f.receiver, 'acme')
    const sent = await call(f.portal, 'POST', `/endpoints/${id}/test`, { body: { type: 'check.failed' } })
    expect(sent.status).toBe(202)
    await dispatch(f.outbox)
    await f.receiver.waitFor(1, '/acme')
    const req = f.receiver.to('/acme')[0]!
    expect(JSON.parse(req.body)).toEqual(EXAMPLES['check.failed'])
    expect(() =>
      verifySignature({ headers: req.headers as Record<string, string>, body: req.body }, secret, { now: () => f.clock.now() }),
    ).not.toThrow()

    const log = await call(f.portal, 'GET', `/endpoints/${id}/deliveries`)
    expect(log.body.data).toHaveLength(1)
    expect(log.body.data[0]).toMatchObject({
      eventType: 'check.failed',
      state: 'delivered',
      attempts: 1,
      messageId: sent.body.data.messageId,
    })
    const detail = await call(f.portal, 'GET', `/deliveries/${log.body.data[0].id}`)
    expect(detail.body.data.payload).toEqual(EXAMPLES['check.failed'])
    const [attempt] = detail.body.data.attemptLog
    expect(attempt).toMatchObject({ statusCode: 200, outcome: 'ack', error: null, responseSnippet: '{"ok":true}' })
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(0)
    expect(attempt.requestHeaders).toMatchObject({ 'webhook-id': sent.body.data.messageId, 'webhook-signature': '[redacted]' })
    expect(JSON.stringify(detail.body)).not.toContain(secret)

    const byEvent = await call(f.portal, 'GET', `/messages/${sent.body.data.messageId}/deliveries`)
    expect(byEvent.body.data.map((d: any) => d.id)).toEqual([log.body.data[0].id])
    expect(log.body.next).toBeNull()
    expect((await call(f.portal, 'GET', `/endpoints/${id}/deliveries?state=dead`)).body.data).toEqual([])
    expect((await call(f.portal, 'GET', `/endpoints/${id}/deliveries?state=bogus`)).status).toBe(400)
  })

  it('defaults the test type to the endpoint first event, refuses others and rate-limits per tenant', async () => {
    const { id } = await createEndpoint(f.portal, f.receiver, 'acme')
    expect((await call(f.portal, 'POST', `/endpoints/${id}/test`, { body: { type: 'report.ready' } })).status).toBe(400)
    expect((await call(f.portal, 'POST', `/endpoints/${id}/test`)).body.data.type).toBe('check.completed')
    for (let i = 0; i < 4; i++) expect((await call(f.portal, 'POST', `/endpoints/${id}/test`)).status).toBe(202)
    const limited = await call(f.portal, 'POST', `/endpoints/${id}/test`)
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('RATE_LIMITED')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const other = await createEndpoint(f.portal, f.receiver, 'globex')
    expect((await call(f.portal, 'POST', `/endpoints/${other.id}/test`, { tenant: 'globex' })).status).toBe(202)
    f.clock.advance(60_000)
    expect((await call(f.portal, 'POST', `/endpoints/${id}/test`)).status).toBe(202)
  })

  it('replays one dead delivery, and everything failed since a time; lists dead letters and stats', async () => {
    const { id } = await createEndpoint(f.portal, f.receiver, 'acme')
    f.receiver.on('/acme', 503)
    await call(f.portal, 'POST', `/endpoints/${id}/test`)
    await dispatch(f.outbox)
    const since = f.clock.now()
    f.clock.advance(1_000)
    await call(f.portal, 'POST', `/endpoints/${id}/test`)
    await call(f.portal, 'POST', `/endpoints/${id}/test`)
    await dispatch(f.outbox)
    const dead = await call(f.portal, 'GET', '/dead-letters')
    expect(dead.body.data).toHaveLength(3)
    expect((await call(f.portal, 'GET', `/dead-letters?endpointId=${id}`)).body.data).toHaveLength(3)
    const stats = await call(f.portal, 'GET', '/stats')
    expect(stats.body.data).toMatchObject({ endpoints: 1, enabledEndpoints: 1, dead: 3, pending: 0 })
    const [attempt] = (await call(f.portal, 'GET', `/deliveries/${dead.body.data[0].id}`)).body.data.attemptLog
    expect(attempt).toMatchObject({ statusCode: 503, outcome: 'retry' })

    f.receiver.on('/acme', 200)
    const one = await call(f.portal, 'POST', `/deliveries/${dead.body.data[0].id}/replay`)
    expect(one.body.data).toEqual({ replayed: 1 })
    expect((await call(f.portal, 'POST', `/deliveries/${dead.body.data[0].id}/replay`)).status).toBe(400)
    await dispatch(f.outbox)
    await eventually(async () => (await call(f.portal, 'GET', `/deliveries/${dead.body.data[0].id}`)).body.data.state === 'delivered')
    const many = await call(f.portal, 'POST', '/replay-failed', { body: { since: since + 1, endpointId: id } })
    expect(many.body.data).toEqual({ replayed: 2 })
    await dispatch(f.outbox)
    expect((await call(f.portal, 'GET', '/dead-letters')).body.data).toEqual([])
    expect(f.audit.map((a) => a.type).filter((t) => t.includes('replayed'))).toEqual([
      'portal.delivery.replayed',
      'portal.deliveries.replayed',
    ])
    expect((await call(f.portal, 'POST', '/replay-failed', { body: { since: 'yesterday-ish' } })).status).toBe(400)
  })

  it("reads the outbox's event catalog when it has one, for the collections customers may use", async () => {
    // The outbox as the event catalog (issue 'catalog') extends it: eventTypes() beside the rest.
    const outbox = Object.assign(Object.create(f.outbox), {
      eventTypes: () => [
        { type: 'check.completed', description: 'A check finished.', example: { checkId: 'c9' }, validated: true },
        { type: 'report.ready', description: 'A report can be fetched.', validated: false },
        { type: 'internal.audit', description: 'Not routed to any collection.', validated: false },
      ],
    })
    const portal = createPortal({
      outbox,
      collections: ['CHECKS', 'REPORTS'],
      authorize: () => ({ tenant: 'acme', permissions: ['read'] }),
    })
    const r = await portal(new Request('http://portal.test/api/v1/event-types'))
    expect(((await r.json()) as any).data).toEqual([
      { type: 'check.completed', description: 'A check finished.', collections: ['CHECKS'], example: { checkId: 'c9' } },
      { type: 'report.ready', description: 'A report can be fetched.', collections: ['REPORTS'], example: null },
    ])
  })

  it('replays a failed (fire-once) delivery, alone and among everything failed since a time', async () => {
    const r = await call(f.portal, 'POST', '/endpoints', { body: { url: `${f.receiver.url}/reports`, events: ['report.ready'] } })
    const id = r.body.data.id
    f.receiver.on('/reports', 500)
    await call(f.portal, 'POST', `/endpoints/${id}/test`)
    await call(f.portal, 'POST', `/endpoints/${id}/test`)
    await dispatch(f.outbox)
    const failed = (await call(f.portal, 'GET', `/endpoints/${id}/deliveries?state=failed`)).body.data
    expect(failed).toHaveLength(2)
    expect((await call(f.portal, 'GET', '/dead-letters')).body.data).toEqual([])
    f.receiver.on('/reports', 200)
    expect((await call(f.portal, 'POST', `/deliveries/${failed[0].id}/replay`)).body.data).toEqual({ replayed: 1 })
    await dispatch(f.outbox)
    expect((await call(f.portal, 'GET', `/deliveries/${failed[0].id}`)).body.data.state).toBe('delivered')
    expect((await call(f.portal, 'POST', '/replay-failed', { body: { since: new Date(0).toISOString() } })).body.data).toEqual({
      replayed: 1,
    })
    await dispatch(f.outbox)
    expect((await call(f.portal, 'GET', `/endpoints/${id}/deliveries?state=delivered`)).body.data).toHaveLength(2)
    expect(f.receiver.to('/reports')).toHaveLength(4)
  })

  it('lists the event catalog with examples, and the session', async () => {
    const r = await call(f.portal, 'GET', '/event-types')
    expect(r.body.data.map((e: any) => e.type)).toEqual(['check.completed', 'check.failed', 'report.ready'])
    expect(r.body.data[0]).toMatchObject({ collections: ['CHECKS'], example: EXAMPLES['check.completed'] })
    const s = await call(f.portal, 'GET', '/session', { permissions: ['read'] })
    expect(s.body.data).toEqual({ tenant: 'acme', permissions: ['read'], actor: 'user@acme' })
  })
})

describe('authorization', () => {
  it('answers 401 without a session, 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await call(f.portal, 'GET', '/endpoints', { tenant: null })).status).toBe(401)
    expect((await call(f.portal, 'GET', '/nothing')).status).toBe(404)
    expect((await call(f.portal, 'PUT', '/endpoints')).status).toBe(405)
  })

  it('enforces each permission on the server', async () => {
    const { id } = await createEndpoint(f.portal, f.receiver, 'acme')
    f.receiver.on('/acme', 503)
    await call(f.portal, 'POST', `/endpoints/${id}/test`)
    await dispatch(f.outbox)
    const [dead] = (await call(f.portal, 'GET', '/dead-letters')).body.data
    const routes: Array<[string, string, 'read' | 'manage' | 'reveal' | 'replay', unknown?]> = [
      ['GET', '/endpoints', 'read'],
      ['GET', `/endpoints/${id}`, 'read'],
      ['GET', `/endpoints/${id}/deliveries`, 'read'],
      ['GET', `/deliveries/${dead.id}`, 'read'],
      ['GET', `/messages/${dead.messageId}/deliveries`, 'read'],
      ['GET', '/dead-letters', 'read'],
      ['GET', '/stats', 'read'],
      ['GET', '/event-types', 'read'],
      ['POST', '/endpoints', 'manage', { url: `${f.receiver.url}/n`, events: ['check.failed'] }],
      ['PATCH', `/endpoints/${id}`, 'manage', { description: 'x' }],
      ['POST', `/endpoints/${id}/disable`, 'manage'],
      ['POST', `/endpoints/${id}/enable`, 'manage'],
      ['POST', `/endpoints/${id}/secret/rotate`, 'manage'],
      ['POST', `/endpoints/${id}/test`, 'manage'],
      ['POST', `/endpoints/${id}/secret/reveal`, 'reveal'],
      ['POST', `/deliveries/${dead.id}/replay`, 'replay'],
      ['POST', '/replay-failed', 'replay', { since: 0 }],
      ['DELETE', `/endpoints/${id}`, 'manage'],
    ]
    for (const [method, path, needed, body] of routes) {
      const others = (['read', 'manage', 'reveal', 'replay'] as const).filter((p) => p !== needed)
      const denied = await call(f.portal, method, path, { permissions: others, body })
      expect([method, path, denied.status, denied.body.error?.code]).toEqual([method, path, 403, 'PERMISSION_DENIED'])
      const allowed = await call(f.portal, method, path, { permissions: [needed], body })
      expect([method, path, allowed.status < 300]).toEqual([method, path, true])
    }
  })
})
