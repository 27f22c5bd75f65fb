import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPS, availableStores, startStack, type Customer, type Stack } from './harness.js'

const stores = await availableStores()

// Two customers (acme, globex) use every platform's flows side by side, each with its own API
// key and its own receiver: nothing of one ever reaches, or is answered to, the other.
describe.each(stores)('two customers side by side on %s', (kind) => {
  let s: Stack
  /** Every id the service handed each customer (request, entity, interview, execution, query ids). */
  const owned = new Map<string, Set<string>>()
  const own = (c: Customer, ...ids: Array<string | undefined>) => {
    for (const id of ids) if (id) owned.get(c.tenant)!.add(id)
  }
  const idsIn = (body: any): string[] =>
    [body?.requestId, body?.entityId, body?.interviewId, body?.executionId, body?.queryId].filter((x): x is string => typeof x === 'string')
  const both = () => [s.acme, s.globex] as const
  const other = (c: Customer) => (c === s.acme ? s.globex : s.acme)

  beforeAll(async () => {
    s = await startStack(kind)
    for (const c of both()) owned.set(c.tenant, new Set())
  })
  afterAll(() => s?.close())

  /** Every webhook a customer's receiver got is about something that customer did. */
  const expectOnlyOwnWebhooks = () => {
    for (const c of both()) {
      // Ids both customers chose (an execution id) prove nothing either way.
      const theirs = new Set([...owned.get(other(c).tenant)!].filter((id) => !owned.get(c.tenant)!.has(id)))
      for (const r of c.receiver.received) {
        const ids = idsIn(r.body)
        expect(ids.length, `${c.tenant} ${r.key}`).toBeGreaterThan(0)
        expect(
          ids.filter((id) => theirs.has(id)),
          `${c.tenant} got ${other(c).tenant}'s ${r.key}`,
        ).toEqual([])
        expect(
          ids.some((id) => owned.get(c.tenant)!.has(id)),
          `${c.tenant} ${r.key} ${JSON.stringify(r.body)}`,
        ).toBe(true)
      }
    }
  }

  /** A 404 whose body carries none of the resource's data. */
  const expectNotFound = (res: { status: number; body: any }, ...secrets: string[]) => {
    expect(res.status).toBe(404)
    expect(Object.keys(res.body).sort()).toEqual(['errorCode', 'errorMsg'])
    for (const secret of secrets) expect(JSON.stringify(res.body)).not.toContain(secret)
  }

  it('answers only callers with a known API key', async () => {
    for (const path of ['/webhooks', '/retrieve/01ABC', '/incode/interviews/x/status', '/async/01ABC', '/flowx/x']) {
      expect((await s.anonymous('GET', path)).status, path).toBe(401)
      expect((await s.anonymous('GET', path, undefined, { 'x-api-key': 'not-a-key' })).status, path).toBe(401)
    }
    expect((await s.anonymous('POST', '/v1/entities', {})).status).toBe(401)
    expect((await s.anonymous('GET', '/health')).status).toBe(200) // public
    expect((await s.anonymous('GET', '/ops/dead-letters', undefined, OPS)).status).toBe(200) // the operator's own token
  })

  it('Attestr: each customer registers, lists and changes only its own webhooks', async () => {
    const hooks = new Map<string, { id: string; token: string; url: string }>()
    for (const c of both()) {
      const res = await c.api('POST', '/webhooks', { url: `${c.receiverUrl}/attestr/main`, events: ['async.completed', 'flowx.completed'] })
      expect(res.status).toBe(201)
      c.receiver.attestrTokens.add(res.body.token)
      c.receiver.trust(res.body.url, res.body.signingSecret)
      hooks.set(c.tenant, res.body)
    }
    for (const c of both()) {
      const mine = hooks.get(c.tenant)!
      const theirs = hooks.get(other(c).tenant)!
      expect((await c.api('GET', '/webhooks')).body).toEqual([
        { id: mine.id, url: mine.url, events: ['async.completed', 'flowx.completed'], status: 'enabled' },
      ])
      // Another customer's webhook id: not found, and left as it was.
      expectNotFound(await c.api('PATCH', `/webhooks/${theirs.id}`, { url: `${c.receiverUrl}/attestr/stolen` }), theirs.url)
      expectNotFound(await c.api('PATCH', `/webhooks/${theirs.id}`, { status: 'disabled' }), theirs.url)
      expectNotFound(await c.api('PATCH', `/webhooks/${theirs.id}`, { regenerateToken: true }), theirs.url)
    }
    for (const c of both()) {
      const e = await s.outbox.endpoints.get(hooks.get(c.tenant)!.id)
      expect({ tenant: e.tenant, url: e.url, enabled: e.enabled }).toEqual({
        tenant: c.tenant,
        url: `${c.receiverUrl}/attestr/main`,
        enabled: true,
      })
    }
  })

  it('Attestr: async results and FlowX executions reach and answer only their customer', async () => {
    const calls = await Promise.all(
      both().map(async (c) => {
        const res = await c.api('POST', '/async/pan-verification', { input: { pan: `${c.tenant}-pan` } })
        expect(res.status).toBe(202)
        own(c, res.body.requestId)
        // Both customers use the same execution id: each has its own execution.
        const flow = await c.api('POST', '/flowx/exec-shared/completed', { stages: [c.tenant] })
        expect(flow.status).toBe(200)
        own(c, flow.body.requestId, 'exec-shared')
        return { c, requestId: res.body.requestId as string }
      }),
    )
    await s.settle()
    for (const { c, requestId } of calls) {
      const got = c.receiver.received.filter((r) => r.key === 'attestr/main' && r.body.requestId === requestId)
      expect(got).toMatchObject([{ status: 200, auth: 'basic ok', body: { output: { input: { pan: `${c.tenant}-pan` } } } }])
      expect((await c.api('GET', `/async/${requestId}`)).body).toEqual(got[0]!.body)
      expectNotFound(await other(c).api('GET', `/async/${requestId}`), `${c.tenant}-pan`)
      expect((await c.api('GET', '/flowx/exec-shared')).body.stages).toEqual([c.tenant])
      const flowx = c.receiver.received.filter((r) => r.key === 'attestr/main' && r.body.executionId === 'exec-shared')
      expect(flowx.map((r) => r.body.stages)).toEqual([[c.tenant]])
    }
    expectNotFound(await s.acme.api('GET', '/flowx/only-globex'))
    await s.globex.api('POST', '/flowx/only-globex/completed', { stages: ['secret-stage'] })
    expectNotFound(await s.acme.api('GET', '/flowx/only-globex'), 'secret-stage')
    own(s.globex, 'only-globex')
    await s.settle()
    expectOnlyOwnWebhooks()
  })

  it('FrankieOne v1: entities, verifications, notifications and /retrieve stay with their customer', async () => {
    const runs = await Promise.all(
      both().map(async (c) => {
        const { entity } = (await c.api('POST', '/v1/entities', { customer_reference: `${c.tenant}-ref` })).body
        const res = await c.api(
          'POST',
          `/v1/entities/${entity.entityId}/verify`,
          { outcome: 'PASS', riskScore: 19 },
          { 'X-Frankie-Background': '1' },
        )
        expect(res.status).toBe(202)
        own(c, entity.entityId, res.body.requestId)
        return { c, entityId: entity.entityId as string, requestId: res.body.requestId as string }
      }),
    )
    await s.settle()
    for (const { c, entityId, requestId } of runs) {
      // Three notifications to three collections (EVENT to its three endpoints), all its own.
      const got = c.receiver.received.filter((r) => r.key.startsWith('v1/') && r.requestId === requestId)
      expect(got.map((r) => r.key).sort()).toEqual(['v1/EVENT-a', 'v1/EVENT-b', 'v1/EVENT-c', 'v1/FUNCTION', 'v1/RESULT'])
      expect(got.every((r) => r.body.entityId === entityId && r.body.customer_reference === `${c.tenant}-ref`)).toBe(true)
      const mine = await c.api('GET', `/retrieve/${requestId}`)
      expect(mine.status).toBe(200)
      expect(mine.body.entity).toMatchObject({ entityId, customer_reference: `${c.tenant}-ref`, status: 'PASS' })
      expectNotFound(await other(c).api('GET', `/retrieve/${requestId}`), entityId, `${c.tenant}-ref`)
    }
    // Verifying another customer's entity: not found, nothing changes and nothing is sent to anyone.
    const before = both().map((c) => c.receiver.received.length)
    const [acmeRun] = runs
    const stolen = await s.globex.api('POST', `/v1/entities/${acmeRun!.entityId}/verify`, { outcome: 'FAIL', riskScore: 99 })
    expect(stolen.status).toBe(404)
    expect(stolen.body.errorCode).toBe('ENTITY_NOT_FOUND')
    expect(JSON.stringify(stolen.body)).not.toContain('acme-ref')
    own(s.globex, stolen.body.requestId)
    await s.settle()
    expect(both().map((c) => c.receiver.received.length)).toEqual(before)
    expect((await s.acme.api('GET', `/retrieve/${acmeRun!.requestId}`)).body.entity.status).toBe('PASS')
    expectOnlyOwnWebhooks()
  })

  it('FrankieOne v1: majority is counted over each customer’s own endpoints', async () => {
    // Globex's EVENT receivers fail at two of three endpoints (a failed majority, retried);
    // acme's all answer: acme's delivery is done, globex's waits for its retry.
    s.globex.receiver.script('v1/EVENT-a', 500)
    s.globex.receiver.script('v1/EVENT-b', 500)
    const runs = await Promise.all(
      both().map(async (c) => {
        const { entity } = (await c.api('POST', '/v1/entities', {})).body
        const res = await c.api('POST', `/v1/entities/${entity.entityId}/verify`, { outcome: 'REFER', riskScore: 40 })
        own(c, entity.entityId, res.body.requestId)
        return { c, requestId: res.body.requestId as string }
      }),
    )
    await s.settle()
    const stateOf = async (c: Customer, requestId: string) =>
      ((await c.api('GET', `/ops/deliveries?requestId=${requestId}&tenant=${c.tenant}`, undefined, OPS)).body as any[]).find(
        (d) => d.collection === 'EVENT',
      )
    expect(await stateOf(s.acme, runs[0]!.requestId)).toMatchObject({ tenant: 'acme', state: 'delivered' })
    expect(await stateOf(s.globex, runs[1]!.requestId)).toMatchObject({ tenant: 'globex', state: 'pending', attempts: 1 })
    // The operator narrowing to the other customer sees none of it.
    expect((await s.anonymous('GET', `/ops/deliveries?requestId=${runs[1]!.requestId}&tenant=acme`, undefined, OPS)).body).toEqual([])
    s.clock.advance(15 * 60_000)
    await s.settle()
    expect(await stateOf(s.globex, runs[1]!.requestId)).toMatchObject({ state: 'delivered', attempts: 2 })
    expectOnlyOwnWebhooks()
  })

  it('FrankieOne v2: workflow executions and their JWT-signed notifications stay with their customer', async () => {
    const runs = await Promise.all(
      both().map(async (c) => {
        const res = await c.api('POST', `/v2/individuals/ent-${c.tenant}/serviceprofiles/KYC/workflows/onboarding/execute`, {})
        expect(res.status).toBe(200)
        const idv = await c.api('POST', `/v2/individuals/ent-${c.tenant}/idv/token`, {})
        own(c, res.body.requestId, res.body.workflowExecutionId, idv.body.requestId, `ent-${c.tenant}`)
        return { c, execution: res.body }
      }),
    )
    await s.settle()
    for (const { c, execution } of runs) {
      const got = c.receiver.received.filter((r) => r.key.startsWith('v2/') && r.body.requestId === execution.requestId)
      expect(got.map((r) => r.key).sort()).toEqual(['v2/main', 'v2/workflows'])
      expect(got.every((r) => r.auth.startsWith('jwt iss=one.frankie.api'))).toBe(true)
      const path = `/v2/individuals/ent-${c.tenant}/serviceprofiles/KYC/workflows/onboarding/executions/${execution.workflowExecutionId}`
      expect((await c.api('GET', path)).body).toEqual(execution)
      expectNotFound(await other(c).api('GET', path), execution.workflowExecutionId, `ent-${c.tenant}`)
    }
    expectOnlyOwnWebhooks()
  })

  it('Incode: interviews, their ordered statuses and OAuth2 credentials stay with their customer', async () => {
    const runs = await Promise.all(
      both().map(async (c) => {
        const { interviewId } = (await c.api('POST', '/incode/interviews', { externalCustomerId: `${c.tenant}-customer` })).body
        own(c, interviewId)
        for (const status of ['ID_VALIDATION_FINISHED', 'FACE_VALIDATION_FINISHED', 'ONBOARDING_FINISHED'])
          expect((await c.api('POST', `/incode/interviews/${interviewId}/status`, { onboardingStatus: status })).status).toBe(200)
        return { c, interviewId: interviewId as string }
      }),
    )
    await s.settle()
    for (const { c, interviewId } of runs) {
      const got = c.receiver.received.filter((r) => r.key === 'incode/main' && r.body.interviewId === interviewId)
      expect(got.map((r) => r.body.onboardingStatus)).toEqual(['ID_VALIDATION_FINISHED', 'FACE_VALIDATION_FINISHED', 'ONBOARDING_FINISHED'])
      for (const r of got) {
        expect(r.auth).toBe('bearer ok') // a token from this customer's own token endpoint, with its own client credentials
        expect(r.headers['x-incode-tenant']).toBe(c.tenant)
        expect(r.body.externalCustomerId).toBe(`${c.tenant}-customer`)
      }
      expect(c.receiver.tokensIssued).toBe(1)
      // Another customer's interview: not found on read and on change, and nothing is sent.
      const peer = other(c)
      expectNotFound(await peer.api('GET', `/incode/interviews/${interviewId}/status`), `${c.tenant}-customer`)
      const before = both().map((x) => x.receiver.received.length)
      expectNotFound(await peer.api('POST', `/incode/interviews/${interviewId}/status`, { onboardingStatus: 'MANUAL_REVIEW_REJECTED' }))
      await s.settle()
      expect(both().map((x) => x.receiver.received.length)).toEqual(before)
      expect((await c.api('GET', `/incode/interviews/${interviewId}/status`)).body.onboardingStatus).toBe('ONBOARDING_FINISHED')
    }
    expectOnlyOwnWebhooks()
  })

  it('every delivery went only to endpoints of its own tenant', async () => {
    const endpoints = new Map((await s.outbox.endpoints.list()).map((e) => [e.id, e.tenant]))
    const deliveries = await s.outbox.deliveries.list({ limit: 1000 })
    expect(deliveries.length).toBeGreaterThan(0)
    for (const d of deliveries) {
      expect(['acme', 'globex']).toContain(d.tenant)
      for (const id of d.targets) expect(endpoints.get(id), `${d.id} → ${id}`).toBe(d.tenant)
    }
  })
})
