import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { call, ORIGIN, portalFixture } from './support.js'

let f: Awaited<ReturnType<typeof portalFixture>>
beforeEach(async () => {
  f = await portalFixture({ trustedOrigins: ['https://app.example'] })
})
afterEach(() => f.cleanup())

const create = { url: 'http://127.0.0.1:9/hook', events: ['check.failed'] }

describe('CSRF', () => {
  it('refuses a state-changing call from another origin, and writes nothing', async () => {
    const r = await call(f.portal, 'POST', '/endpoints', {
      origin: 'https://evil.example',
      body: create,
      headers: { cookie: 'session=acme' },
    })
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('CSRF')
    expect(await f.outbox.endpoints.list({})).toEqual([])
  })

  it('refuses a cookie call without Origin, a cross-site Sec-Fetch-Site, and a form body', async () => {
    const noOrigin = await call(f.portal, 'POST', '/endpoints', { origin: null, body: create, headers: { cookie: 'session=acme' } })
    expect([noOrigin.status, noOrigin.body.error.code]).toEqual([403, 'CSRF'])
    const site = await call(f.portal, 'POST', '/endpoints', { origin: null, body: create, headers: { 'sec-fetch-site': 'cross-site' } })
    expect([site.status, site.body.error.code]).toEqual([403, 'CSRF'])
    const form = await call(f.portal, 'POST', '/endpoints', {
      body: 'url=http%3A%2F%2F127.0.0.1%3A9%2Fhook',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect([form.status, form.body.error.code]).toEqual([403, 'CSRF'])
    expect(await f.outbox.endpoints.list({})).toEqual([])
  })

  it('accepts the portal origin, a trusted origin, and a token client with neither Origin nor cookie', async () => {
    for (const origin of [ORIGIN, 'https://app.example', null]) {
      const r = await call(f.portal, 'POST', '/endpoints', { origin, body: create })
      expect([origin, r.status]).toEqual([origin, 201])
    }
    const sameSite = await call(f.portal, 'POST', '/endpoints', {
      origin: null,
      body: create,
      headers: { 'sec-fetch-site': 'same-origin', cookie: 's=1' },
    })
    expect(sameSite.status).toBe(201)
    expect(await f.outbox.endpoints.list({ tenant: 'acme' })).toHaveLength(4)
  })

  it('lets reads through from anywhere (they change nothing; the session still decides)', async () => {
    expect((await call(f.portal, 'GET', '/endpoints', { headers: { origin: 'https://evil.example' } })).status).toBe(200)
  })
})
