import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPS, ULID, availableStores, startStack, type Stack } from './harness.js'

const stores = await availableStores()
const V2_FIELDS = [
  'entityId',
  'entityType',
  'function',
  'functionResult',
  'message',
  'notificationType',
  'requestId',
  'serviceName',
  'version',
  'workflowExecutionId',
  'workflowName',
]
const IDV = [
  ['token', 'TOKEN_REQUESTED', 'TOKEN_ERROR'],
  ['onboarding-url', 'ONB_URL_GENERATED', 'ONB_URL_ERROR'],
  ['results', 'RESULTS_RETRIEVED', 'RESULTS_ERROR'],
  ['ocr', 'OCR_PROCESSED', 'OCR_ERROR'],
] as const

describe.each(stores)('FrankieOne v2 on %s', (kind) => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack(kind)
  })
  afterAll(() => s?.close())

  const forRequest = (requestId: string, key?: string) =>
    s.receiver.received.filter((r) => r.requestId === requestId && (!key || r.key === key))
  const deliveries = async (requestId: string) =>
    (await s.api('GET', `/ops/deliveries?requestId=${requestId}`, undefined, OPS)).body as any[]

  it('publishes an RS256 RSA-4096 JWKS', async () => {
    const { keys } = (await s.api('GET', '/.well-known/jwks.json')).body
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })
    expect(Buffer.from(keys[0].n, 'base64url').length * 8).toBe(4096)
    expect(keys[0]).not.toHaveProperty('d')
  })

  it.each([
    [false, 'WORKFLOW_COMPLETE', 'SUCCESS'],
    [true, 'WORKFLOW_ERROR', 'ERROR'],
  ])('workflow (fail=%s) → %s with the v2 payload, JWT-signed, requestId appended', async (fail, fn, result) => {
    const res = await s.api('POST', '/v2/individuals/ent-1/serviceprofiles/KYC/workflows/Onboarding/execute', { fail })
    expect(res.status).toBe(200)
    const { requestId, workflowExecutionId } = res.body
    expect(requestId).toMatch(ULID)
    await s.settle()
    const got = forRequest(requestId)
    expect(got.map((r) => r.key).sort()).toEqual(['v2/main', 'v2/workflows'])
    for (const r of got) {
      expect(r.path).toMatch(new RegExp(`/${requestId}$`))
      expect(r.auth).toBe('jwt iss=one.frankie.api')
      expect(r.headers.authorization).toMatch(/^Bearer ey/)
      expect(Object.keys(r.body).sort()).toEqual(V2_FIELDS)
      expect(r.body).toMatchObject({
        workflowExecutionId,
        entityId: 'ent-1',
        entityType: 'INDIVIDUAL',
        workflowName: 'Onboarding',
        serviceName: 'KYC',
        function: fn,
        functionResult: result,
        notificationType: 'EVENT',
        requestId,
        version: '2.0.0',
      })
    }
    const execution = await s.api('GET', `/v2/individuals/ent-1/serviceprofiles/KYC/workflows/Onboarding/executions/${workflowExecutionId}`)
    expect(execution.body.status).toBe(fail ? 'ERROR' : 'COMPLETE')
  })

  it('sends every IDV biometrics event, only to endpoints that chose them', async () => {
    const seen: string[] = []
    for (const [step, ok, error] of IDV)
      for (const fail of [false, true]) {
        const res = await s.api('POST', `/v2/individuals/ent-2/idv/${step}`, { fail })
        expect(res.body.function).toBe(fail ? error : ok)
        seen.push(res.body.requestId)
      }
    await s.settle()
    const got = seen.map((id) => forRequest(id))
    expect(got.every((g) => g.length === 1 && g[0]!.key === 'v2/main' && g[0]!.auth.startsWith('jwt iss=one.frankie.api'))).toBe(true)
    expect(got.map((g) => g[0]!.body.function)).toEqual(IDV.flatMap(([, ok, error]) => [ok, error]))
    for (const [g] of got) expect(Object.keys(g!.body).sort()).toEqual(V2_FIELDS)
  })

  it('the receiver refuses a token that does not match the body', async () => {
    const res = await s.api('POST', '/v2/individuals/ent-3/idv/token', {})
    await s.settle()
    const [real] = forRequest(res.body.requestId)
    const forged = await fetch(`${s.receiverUrl}/frankieone/v2/main/${res.body.requestId}`, {
      method: 'POST',
      headers: { authorization: real!.headers.authorization!, 'content-type': 'application/json' },
      body: JSON.stringify({ ...real!.body, functionResult: 'ERROR' }),
    })
    expect(forged.status).toBe(401)
    expect(s.receiver.received.at(-1)!.auth).toBe('jwt rejected: body_mismatch')
  })

  it('retries a 500: the first retry at once, then after 5 s', async () => {
    s.receiver.script('v2/main', 500, 502)
    const { requestId } = (await s.api('POST', '/v2/individuals/ent-4/idv/ocr', {})).body
    await s.settle()
    expect(forRequest(requestId, 'v2/main').map((r) => r.status)).toEqual([500, 502])
    const [pending] = await deliveries(requestId)
    expect(pending).toMatchObject({ state: 'pending', attempts: 2, nextAttemptAt: s.clock.now() + 5_000 })
    s.clock.advance(5_000)
    await s.settle()
    expect(forRequest(requestId, 'v2/main').map((r) => r.status)).toEqual([500, 502, 200])
    expect((await deliveries(requestId))[0]).toMatchObject({ state: 'delivered', attempts: 3 })
  })

  it('a 400 stops retries at once: dead letter, listed and replayed through /ops', async () => {
    s.receiver.script('v2/main', 400)
    const dead: string[] = []
    s.outbox.once('dead', ({ delivery }) => dead.push(delivery.id))
    const { requestId } = (await s.api('POST', '/v2/individuals/ent-5/idv/results', { fail: true })).body
    await s.settle()
    const [d] = await deliveries(requestId)
    expect(d).toMatchObject({ state: 'dead', attempts: 1 })
    expect(d.attemptLog).toMatchObject([{ statusCode: 400, outcome: 'stop' }])
    expect(dead).toEqual([d.id])
    const letters = (await s.api('GET', '/ops/dead-letters', undefined, OPS)).body
    expect(letters.map((l: any) => l.id)).toContain(d.id)

    expect((await s.api('POST', `/ops/dead-letters/${d.id}/replay`, undefined, OPS)).status).toBe(202)
    await s.settle()
    expect(forRequest(requestId, 'v2/main').map((r) => r.status)).toEqual([400, 200])
    expect((await deliveries(requestId))[0].state).toBe('delivered')
    expect((await s.api('GET', '/ops/dead-letters', undefined, OPS)).body.map((l: any) => l.id)).not.toContain(d.id)
  })
})
