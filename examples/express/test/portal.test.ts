import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { availableStores, startStack, type Stack } from './harness.js'

const stores = await availableStores()

// The customers' portal at /portal: sign-in with an API key, then only the customer's own webhooks.
describe.each(stores)('customer portal on %s', (kind) => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack(kind, () => ({}))
  })
  afterAll(() => s?.close())

  const portal = (path: string, init: RequestInit = {}) => fetch(`${s.appUrl}/portal${path}`, { redirect: 'manual', ...init })

  async function signIn(key: string): Promise<string> {
    const res = await portal('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `key=${key}`,
    })
    expect(res.status).toBe(303)
    return res.headers.get('set-cookie')!.split(';')[0]!
  }

  it('signs a customer in with its API key and shows only its own webhooks', async () => {
    expect(
      (await portal('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=wrong' }))
        .status,
    ).toBe(401)
    expect((await portal('/')).status).toBe(401)
    const cookie = await signIn('acme-api-key')
    const page = await portal('/', { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")

    const types: any = await (await portal('/api/v1/event-types', { headers: { cookie } })).json()
    expect(types.data.map((t: any) => t.type)).toContain('async.completed')
    const created = await portal('/api/v1/endpoints', {
      method: 'POST',
      headers: { cookie, origin: s.appUrl, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${s.receiverUrl}/attestr/acme`, events: ['async.completed', 'async.errored'] }),
    })
    expect(created.status).toBe(201)
    const { data, secret }: any = await created.json()
    expect(secret).toMatch(/^whsec_/)
    expect((await s.outbox.endpoints.get(data.id)).tenant).toBe('acme')

    const globex = { 'x-api-key': 'globex-api-key' }
    expect(((await (await portal('/api/v1/endpoints', { headers: globex })).json()) as any).data).toEqual([])
    expect((await portal(`/api/v1/endpoints/${data.id}`, { headers: globex })).status).toBe(404)
    expect(((await (await portal('/api/v1/endpoints', { headers: { cookie } })).json()) as any).data).toHaveLength(1)
    const crossSite = await portal(`/api/v1/endpoints/${data.id}`, {
      method: 'DELETE',
      headers: { cookie, origin: 'https://evil.example' },
    })
    expect(crossSite.status).toBe(403)
  })
})
