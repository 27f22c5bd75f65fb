import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPS, availableStores, startStack, type Stack } from './harness.js'

const stores = await availableStores()

describe.each(stores)('Attestr on %s', (kind) => {
  let s: Stack
  let hook: { id: string; token: string }
  beforeAll(async () => {
    s = await startStack(kind)
  })
  afterAll(() => s?.close())

  const got = (key: string, match: (body: any) => boolean) => s.receiver.received.filter((r) => r.key === key && match(r.body))
  const asyncCall = async (body: object = {}) => {
    const res = await s.api('POST', '/async/pan-verification', body)
    expect(res.status).toBe(202)
    return res.body.requestId as string
  }
  const deliveryOf = async (requestId: string) =>
    (await s.api('GET', `/ops/deliveries?requestId=${requestId}`, undefined, OPS)).body as any[]

  it('registers a webhook with chosen events and shows its generated token once', async () => {
    const res = await s.api('POST', '/webhooks', { url: `${s.receiverUrl}/attestr/main`, events: ['async.completed', 'async.errored'] })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.any(String),
      events: ['async.completed', 'async.errored'],
      status: 'enabled',
      token: expect.stringMatching(/^[\w-]{43}$/),
      signingSecret: expect.stringMatching(/^whsec_/),
    })
    hook = res.body
    s.receiver.attestrTokens.add(hook.token) // the customer saves both from the dashboard
    s.receiver.trust(res.body.url, res.body.signingSecret)
    const list = (await s.api('GET', '/webhooks')).body
    expect(list).toEqual([
      { id: hook.id, url: `${s.receiverUrl}/attestr/main`, events: ['async.completed', 'async.errored'], status: 'enabled' },
    ])
    // Sent once, 5-second timeout.
    expect((await s.outbox.collections.get('attestr')).policy).toMatchObject({ kind: 'fireOnce', maxAttempts: 1, timeoutMs: 5_000 })
    expect((await s.outbox.endpoints.get(hook.id)).timeoutMs).toBe(5_000)
    expect((await s.api('POST', '/webhooks', { url: `${s.receiverUrl}/attestr/x`, events: ['nope'] })).status).toBe(400)
  })

  it('sends async.completed and async.errored with Authorization: Basic <token>; polling returns the same result', async () => {
    const ok = await asyncCall({ input: { pan: 'ABCDE1234F' } })
    const bad = await asyncCall({ fail: true })
    await s.settle()
    const [completed] = got('attestr/main', (b) => b.requestId === ok)
    expect(completed).toMatchObject({ status: 200, auth: 'basic ok', body: { status: 'COMPLETED', output: { valid: true } } })
    expect(completed!.headers.authorization).toBe(`Basic ${hook.token}`)
    expect(got('attestr/main', (b) => b.requestId === bad)[0]!.body.status).toBe('ERRORED')
    expect((await s.api('GET', `/async/${ok}`)).body).toEqual(completed!.body)
    expect((await s.api('GET', `/async/${bad}`)).status).toBe(422)
  })

  it('sends once: a failed webhook is not retried nor dead-lettered, and GET /async/:requestId still answers', async () => {
    s.receiver.script('attestr/main', 500)
    const requestId = await asyncCall()
    await s.settle()
    s.clock.advance(60 * 60_000)
    await s.settle()
    expect(got('attestr/main', (b) => b.requestId === requestId).map((r) => r.status)).toEqual([500])
    expect(await deliveryOf(requestId)).toMatchObject([{ state: 'failed', attempts: 1 }])
    expect((await s.api('GET', '/ops/dead-letters?collection=attestr', undefined, OPS)).body).toEqual([])
    const polled = await s.api('GET', `/async/${requestId}`)
    expect(polled.status).toBe(200)
    expect(polled.body).toMatchObject({ requestId, status: 'COMPLETED' })
  })

  it('sends only the events a webhook chose; PATCH changes its events', async () => {
    const before = s.receiver.received.length
    expect((await s.api('POST', '/flowx/exec-1/completed', { stages: ['pan', 'selfie'] })).status).toBe(200)
    await s.settle()
    expect(s.receiver.received.length).toBe(before)
    expect(
      (
        await s.api('PATCH', `/webhooks/${hook.id}`, {
          events: ['async.completed', 'async.errored', 'flowx.completed', 'flowx.errored', 'flowx.skipped', 'factx.query'],
        })
      ).status,
    ).toBe(200)
    await s.api('POST', '/flowx/exec-2/skipped', {})
    await s.api('POST', '/factx/profile-9/queries', { question: 'Previous employer?' })
    await s.settle()
    expect(s.receiver.received.slice(before).map((r) => r.headers['x-hookbox-event-type'])).toEqual(['flowx.skipped', 'factx.query'])
    expect((await s.api('GET', '/flowx/exec-1')).body.status).toBe('COMPLETED') // ExecutionResult fallback
  })

  it('PATCH regenerates the token: the old one stops working', async () => {
    const res = await s.api('PATCH', `/webhooks/${hook.id}`, { regenerateToken: true })
    expect(res.body.token).toMatch(/^[\w-]{43}$/)
    expect(res.body.token).not.toBe(hook.token)
    const first = await asyncCall()
    await s.settle()
    expect(got('attestr/main', (b) => b.requestId === first)).toMatchObject([{ status: 401, auth: 'basic rejected' }])
    s.receiver.attestrTokens.add(res.body.token)
    const second = await asyncCall()
    await s.settle()
    expect(got('attestr/main', (b) => b.requestId === second)[0]!.headers.authorization).toBe(`Basic ${res.body.token}`)
    // A token of the customer's choosing: not echoed back.
    const own = await s.api('PATCH', `/webhooks/${hook.id}`, { token: 'customer-chosen-token' })
    expect(own.body).not.toHaveProperty('token')
    s.receiver.attestrTokens.add('customer-chosen-token')
    const third = await asyncCall()
    await s.settle()
    expect(got('attestr/main', (b) => b.requestId === third)[0]!.headers.authorization).toBe('Basic customer-chosen-token')
  })

  it('PATCH changes the URL and the status (a disabled webhook is not sent what happens while it is off)', async () => {
    const patched = await s.api('PATCH', `/webhooks/${hook.id}`, { url: `${s.receiverUrl}/attestr/moved` })
    // The Basic token does not follow the URL: the customer gets a new one; the signing secret stays.
    expect(patched.body).toMatchObject({ url: `${s.receiverUrl}/attestr/moved`, token: expect.stringMatching(/^[\w-]{43}$/) })
    expect(patched.body).not.toHaveProperty('signingSecret')
    s.receiver.attestrTokens.add(patched.body.token)
    s.receiver.trust(patched.body.url, (await s.outbox.endpoints.revealSecret(hook.id)).secret)
    const moved = await asyncCall()
    await s.settle()
    expect(got('attestr/moved', (b) => b.requestId === moved)).toMatchObject([{ status: 200, auth: 'basic ok' }])
    expect(got('attestr/moved', (b) => b.requestId === moved)[0]!.headers.authorization).toBe(`Basic ${patched.body.token}`)

    expect((await s.api('PATCH', `/webhooks/${hook.id}`, { status: 'disabled' })).body.status).toBe('disabled')
    const whileOff = await asyncCall()
    await s.settle()
    expect((await s.api('PATCH', `/webhooks/${hook.id}`, { status: 'enabled' })).body.status).toBe('enabled')
    const afterOn = await asyncCall()
    await s.settle()
    expect(got('attestr/moved', (b) => b.requestId === whileOff)).toHaveLength(0)
    expect((await s.api('GET', `/async/${whileOff}`)).status).toBe(200) // the polling API has it
    expect(got('attestr/moved', (b) => b.requestId === afterOn)).toMatchObject([{ status: 200 }])
  })
})
