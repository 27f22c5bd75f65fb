import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ORIGIN, portalFixture } from './support.js'

let f: Awaited<ReturnType<typeof portalFixture>>
beforeAll(async () => {
  f = await portalFixture()
})
afterAll(() => f.cleanup())

const get = (path: string, session: string | null = 'acme;read') =>
  f.portal(new Request(`${ORIGIN}/portal${path}`, { headers: session ? { 'x-session': session } : {} }))

describe('CSP', () => {
  it("serves every page with default-src 'self' and no inline script or style", async () => {
    for (const path of ['/', '/endpoints/new', '/endpoints/01ABC', '/endpoints/01ABC/edit', '/deliveries/01ABC', '/event-types']) {
      const r = await get(path)
      expect([path, r.status]).toEqual([path, 200])
      expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'self'(;|$)/)
      expect(r.headers.get('x-frame-options')).toBe('DENY')
      const html = await r.text()
      expect(html).toContain('<script type="module" src="/portal/assets/portal.js"></script>')
      expect(html).toContain('<link rel="stylesheet" href="/portal/assets/portal.css">')
      expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/portal/assets/portal.js">'])
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i)
    }
  })

  it('serves the assets from the package, under the same CSP, and no other file', async () => {
    const js = await get('/assets/portal.js', null)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('content-security-policy')).toContain("default-src 'self'")
    const source = await js.text()
    expect(source).not.toMatch(/innerHTML|eval\(|new Function|(from|import\(|fetch\()\s*['"`]https?:/)
    const css = await get('/assets/portal.css', null)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(await css.text()).toContain('--hb-accent')
    expect((await get('/assets/../package.json', null)).status).toBe(404)
    expect((await get('/assets/secret.txt', null)).status).toBe(404)
  })

  it('answers 401 with a sign-in page without a session, and API answers carry the CSP too', async () => {
    const r = await get('/', null)
    expect(r.status).toBe(401)
    expect(await r.text()).toContain('data-view="signed-out"')
    const api = await get('/api/v1/endpoints')
    expect(api.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(api.headers.get('cache-control')).toBe('no-store')
  })
})
