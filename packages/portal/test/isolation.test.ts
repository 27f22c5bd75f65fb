import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, createEndpoint, dispatch, portalFixture } from './support.js'

// Tenant acme calls every route with globex's ids (and the platform's): each answers 404, and
// nothing of globex's changes.
let f: Awaited<ReturnType<typeof portalFixture>>
let theirs: { endpoint: string; delivery: string; message: string }
let platform: { endpoint: string }
beforeAll(async () => {
  f = await portalFixture()
  await createEndpoint(f.portal, f.receiver, 'acme')
  const b = await createEndpoint(f.portal, f.receiver, 'globex')
  f.receiver.on('/globex', 503)
  await call(f.portal, 'POST', `/endpoints/${b.id}/test`, { tenant: 'globex' })
  await dispatch(f.outbox)
  const [dead] = (await call(f.portal, 'GET', '/dead-letters', { tenant: 'globex' })).body.data
  theirs = { endpoint: b.id, delivery: dead.id, message: dead.messageId }
  const own = await f.outbox.endpoints.create({ collection: 'CHECKS', url: `${f.receiver.url}/platform` })
  platform = { endpoint: own.id }
})
afterAll(() => f.cleanup())

describe('tenant isolation', () => {
  const routes = (ids: { endpoint: string; delivery?: string; message?: string }): Array<[string, string, unknown?]> => [
    ['GET', `/endpoints/${ids.endpoint}`],
    ['PATCH', `/endpoints/${ids.endpoint}`, { description: 'taken over' }],
    ['POST', `/endpoints/${ids.endpoint}/disable`],
    ['POST', `/endpoints/${ids.endpoint}/enable`],
    ['POST', `/endpoints/${ids.endpoint}/secret/reveal`],
    ['POST', `/endpoints/${ids.endpoint}/secret/rotate`],
    ['POST', `/endpoints/${ids.endpoint}/test`],
    ['GET', `/endpoints/${ids.endpoint}/deliveries`],
    ['GET', `/dead-letters?endpointId=${ids.endpoint}`],
    ['POST', '/replay-failed', { since: 0, endpointId: ids.endpoint }],
    ['DELETE', `/endpoints/${ids.endpoint}`],
    ...(ids.delivery
      ? ([
          ['GET', `/deliveries/${ids.delivery}`],
          ['POST', `/deliveries/${ids.delivery}/replay`],
          ['GET', `/messages/${ids.message}/deliveries`],
        ] as Array<[string, string]>)
      : []),
  ]

  it("answers 404 on every route for another tenant's ids, and changes nothing", async () => {
    const before = {
      endpoint: await f.outbox.endpoints.get(theirs.endpoint),
      secret: await f.outbox.endpoints.revealSecret(theirs.endpoint),
    }
    for (const [method, path, body] of routes(theirs)) {
      const r = await call(f.portal, method, path, { tenant: 'acme', body })
      expect([method, path, r.status, r.body.error?.code]).toEqual([method, path, 404, 'NOT_FOUND'])
      expect(JSON.stringify(r.body)).not.toContain('globex')
    }
    expect(await f.outbox.endpoints.get(theirs.endpoint)).toEqual(before.endpoint)
    expect(await f.outbox.endpoints.revealSecret(theirs.endpoint)).toEqual(before.secret)
    expect((await f.outbox.deliveries.get(theirs.delivery)).state).toBe('dead')
    expect(f.audit.filter((a) => a.tenant === 'acme').map((a) => a.type)).toEqual(['portal.endpoint.created'])
  })

  it("answers 404 for the platform's own endpoints", async () => {
    for (const [method, path, body] of routes(platform)) {
      const r = await call(f.portal, method, path, { tenant: 'acme', body })
      expect([method, path, r.status]).toEqual([method, path, 404])
    }
    expect((await f.outbox.endpoints.get(platform.endpoint)).description).toBeNull()
  })

  it("lists and counts only the caller's own records", async () => {
    const list = await call(f.portal, 'GET', '/endpoints', { tenant: 'acme' })
    expect(list.body.data).toHaveLength(1)
    expect(list.body.data[0].url).toContain('/acme')
    expect((await call(f.portal, 'GET', '/dead-letters', { tenant: 'acme' })).body.data).toEqual([])
    expect((await call(f.portal, 'GET', '/stats', { tenant: 'acme' })).body.data).toMatchObject({ endpoints: 1, dead: 0 })
    expect((await call(f.portal, 'GET', '/stats', { tenant: 'globex' })).body.data).toMatchObject({ endpoints: 1, dead: 1 })
    expect((await call(f.portal, 'POST', '/replay-failed', { tenant: 'acme', body: { since: 0 } })).body.data).toEqual({ replayed: 0 })
    expect((await f.outbox.deliveries.get(theirs.delivery)).state).toBe('dead')
  })
})
