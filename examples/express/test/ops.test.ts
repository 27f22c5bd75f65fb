import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPS, availableStores, startStack, type Stack } from './harness.js'

const stores = await availableStores()

describe.each(stores)('ops surface on %s', (kind) => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack(kind, () => ({}))
  })
  afterAll(() => s?.close())

  it('needs the ops token', async () => {
    expect((await s.api('GET', '/ops/dead-letters')).status).toBe(401)
    expect((await s.api('GET', '/ops/dead-letters', undefined, { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await s.api('GET', '/ops/dead-letters', undefined, OPS)).status).toBe(200)
  })

  it('answers typed errors', async () => {
    expect((await s.api('GET', '/ops/deliveries', undefined, OPS)).status).toBe(400)
    expect((await s.api('GET', '/ops/deliveries?requestId=nothing-here', undefined, OPS)).body).toEqual([])
    expect((await s.api('POST', '/ops/dead-letters/01NOSUCHDELIVERY0000000000/replay', undefined, OPS)).status).toBe(404)
    expect((await s.api('GET', '/no/such/route')).status).toBe(404)
  })

  it('refuses bad webhook URLs with a 400', async () => {
    const res = await s.api('POST', '/webhooks', { url: 'ftp://example.com/hook', events: ['async.completed'] })
    expect(res.status).toBe(400)
    expect(res.body.errorCode).toBe('INVALID_URL')
    // Private addresses other than the allow-listed loopback are refused (SSRF guard).
    const ssrf = await s.api('POST', '/webhooks', { url: 'http://169.254.169.254/latest/meta-data', events: ['async.completed'] })
    expect(ssrf.status).toBe(400)
  })
})
