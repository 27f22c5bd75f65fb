import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeliveryEvent } from '@hookbox/core'
import { OPS, ULID, availableStores, startStack, type Stack } from './harness.js'

const stores = await availableStores()
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

describe.each(stores)('FrankieOne v1 on %s', (kind) => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack(kind)
  })
  afterAll(() => s?.close())

  const createEntity = async (customer_reference?: string) =>
    (await s.api('POST', '/v1/entities', customer_reference ? { customer_reference } : {})).body.entity.entityId as string
  const forRequest = (requestId: string) => s.receiver.received.filter((r) => r.requestId === requestId)

  it('answers X-Frankie-Background: 1 with 202, then raises three notifications to three collections and caches the response', async () => {
    const entityId = await createEntity('CUST-0042')
    const res = await s.api('POST', `/v1/entities/${entityId}/verify`, { outcome: 'PASS', riskScore: 19 }, { 'X-Frankie-Background': '1' })
    expect(res.status).toBe(202)
    const requestId = res.body.requestId
    expect(requestId).toMatch(ULID)
    await s.settle()

    const got = forRequest(requestId)
    expect(got.map((r) => r.key).sort()).toEqual(['v1/EVENT-a', 'v1/EVENT-b', 'v1/EVENT-c', 'v1/FUNCTION', 'v1/RESULT'])
    for (const r of got) expect(r.path).toBe(`/frankieone/v1/${r.key.slice(3)}/${requestId}`) // requestId appended
    const byFunction = Object.fromEntries(got.map((r) => [r.body.function, r.body]))
    const common = { entityId, customer_reference: 'CUST-0042', requestId, functionResult: 'COMPLETED', checkId: expect.any(String) }
    expect(byFunction.EntityRiskChange).toEqual({
      ...common,
      function: 'EntityRiskChange',
      notificationType: 'EVENT',
      message: 'Risk score changed from 0 to 19',
    })
    expect(byFunction.UpdateCheckEntity).toEqual({
      ...common,
      function: 'UpdateCheckEntity',
      notificationType: 'RESULT',
      message: 'Entity status changed from UNCHECKED to PASS',
    })
    expect(byFunction.VerifyEntity).toMatchObject({ ...common, function: 'VerifyEntity', notificationType: 'FUNCTION' })
    // One check: the three notifications carry the same checkId.
    expect(new Set(got.map((r) => r.body.checkId)).size).toBe(1)

    const ops = await s.api('GET', `/ops/deliveries?requestId=${requestId}`, undefined, OPS)
    expect(ops.status).toBe(200)
    expect(ops.body.map((d: any) => d.collection).sort()).toEqual(['EVENT', 'FUNCTION', 'RESULT'])
    for (const d of ops.body) {
      expect(d.state).toBe('delivered')
      expect(d.attemptLog.every((a: any) => a.statusCode === 200 && a.outcome === 'ack')).toBe(true)
    }

    const retrieved = await s.api('GET', `/retrieve/${requestId}`)
    expect(retrieved.status).toBe(200)
    expect(retrieved.body).toMatchObject({
      requestId,
      checkId: byFunction.VerifyEntity.checkId,
      checkSummary: { result: 'PASS', riskScore: 19 },
    })
  })

  it('answers synchronously without the header, caches that response too, and sends no FUNCTION notification', async () => {
    const entityId = await createEntity() // no customer_reference
    const res = await s.api('POST', `/v1/entities/${entityId}/verify`, { outcome: 'FAIL', riskScore: 80 })
    expect(res.status).toBe(200)
    const requestId = res.body.requestId
    expect(res.headers.get('x-frankie-requestid')).toBe(requestId)
    await s.settle()
    const got = forRequest(requestId)
    expect(got.map((r) => r.body.notificationType).sort()).toEqual(['EVENT', 'EVENT', 'EVENT', 'RESULT'])
    for (const r of got) expect(r.body).not.toHaveProperty('customer_reference')
    expect((await s.api('GET', `/retrieve/${requestId}`)).body).toEqual(res.body)
  })

  it('stores the 404 a background request would have returned', async () => {
    const res = await s.api('POST', '/v1/entities/no-such-entity/verify', {}, { 'X-Frankie-Background': '1' })
    expect(res.status).toBe(202)
    await s.settle()
    const retrieved = await s.api('GET', `/retrieve/${res.body.requestId}`)
    expect(retrieved.status).toBe(404)
    expect(retrieved.body.errorCode).toBe('ENTITY_NOT_FOUND')
    expect(forRequest(res.body.requestId).map((r) => [r.key, r.body.functionResult])).toEqual([['v1/FUNCTION', 'FAILED']])
  })

  it('majority: a round failing at 2 of 3 endpoints is retried 15 minutes later, to those two only', async () => {
    const entityId = await createEntity('CUST-7')
    s.receiver.script('v1/EVENT-b', 500)
    s.receiver.script('v1/EVENT-c', 503)
    const { requestId } = (await s.api('POST', `/v1/entities/${entityId}/verify`, { riskScore: 33 })).body
    await s.settle()
    const event = () =>
      s.api('GET', `/ops/deliveries?requestId=${requestId}`, undefined, OPS).then((r) => r.body.find((d: any) => d.collection === 'EVENT'))
    expect(await event()).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: s.clock.now() + 15 * MINUTE })

    s.clock.advance(15 * MINUTE - 1)
    await s.settle()
    expect(forRequest(requestId).filter((r) => r.key.startsWith('v1/EVENT')).length).toBe(3)

    s.clock.advance(1)
    await s.settle()
    const keys = forRequest(requestId)
      .filter((r) => r.key.startsWith('v1/EVENT'))
      .map((r) => r.key)
    expect(keys.sort()).toEqual(['v1/EVENT-a', 'v1/EVENT-b', 'v1/EVENT-b', 'v1/EVENT-c', 'v1/EVENT-c'])
    const done = await event()
    expect(done).toMatchObject({ state: 'delivered', attempts: 2 })
    expect(done.attemptLog.map((a: any) => [a.round, a.statusCode]).sort()).toEqual([
      [1, 200],
      [1, 500],
      [1, 503],
      [2, 200],
      [2, 200],
    ])
  })

  it('majority: one failing endpoint of three is tolerated and reported', async () => {
    const entityId = await createEntity()
    s.receiver.script('v1/EVENT-c', 500)
    const delivered: DeliveryEvent[] = []
    const onDelivered = (e: DeliveryEvent) => delivered.push(e)
    s.outbox.on('delivered', onDelivered)
    const { requestId } = (await s.api('POST', `/v1/entities/${entityId}/verify`, { riskScore: 5 })).body
    await s.settle()
    s.outbox.off('delivered', onDelivered)
    const ev = delivered.find((e) => e.requestId === requestId && e.delivery.collection === 'EVENT')!
    expect(ev.delivery.state).toBe('delivered')
    expect(ev.failedEndpoints).toHaveLength(1)
    const endpoints = await s.outbox.endpoints.list({ collection: 'EVENT' })
    expect(endpoints.find((e) => e.id === ev.failedEndpoints[0])!.url).toMatch(/EVENT-c$/)
  })

  it('dead-letters after 50 retries every 15 minutes; ops lists and replays it', async () => {
    const entityId = await createEntity()
    s.receiver.reply('v1/FUNCTION', 500)
    const { requestId } = (await s.api('POST', `/v1/entities/${entityId}/verify`, { riskScore: 6 }, { 'X-Frankie-Background': '1' })).body
    await s.settle()
    for (let retry = 1; retry <= 50; retry++) {
      s.clock.advance(15 * MINUTE)
      await s.settle()
    }
    expect(forRequest(requestId).filter((r) => r.key === 'v1/FUNCTION')).toHaveLength(51)
    const dead = (await s.api('GET', '/ops/dead-letters?collection=FUNCTION', undefined, OPS)).body
    const letter = dead.find((d: any) => d.attempts === 51)
    expect(letter).toMatchObject({ state: 'dead', collection: 'FUNCTION' })

    s.receiver.reply('v1/FUNCTION', 200)
    expect((await s.api('POST', `/ops/dead-letters/${letter.id}/replay`, undefined, OPS)).status).toBe(202)
    await s.settle()
    const fn = forRequest(requestId).filter((r) => r.key === 'v1/FUNCTION')
    expect(fn).toHaveLength(52)
    expect(fn.at(-1)!.headers['webhook-id']).toBe(fn[0]!.headers['webhook-id']) // same message id: receivers can de-duplicate
    expect((await s.api('GET', `/ops/deliveries/${letter.id}`, undefined, OPS)).body.state).toBe('delivered')
  })

  it('/retrieve answers 404 once 7 days have passed', async () => {
    const entityId = await createEntity()
    const { requestId } = (await s.api('POST', `/v1/entities/${entityId}/verify`, {}, { 'X-Frankie-Background': '1' })).body
    await s.settle()
    s.clock.advance(7 * DAY - 1)
    expect((await s.api('GET', `/retrieve/${requestId}`)).status).toBe(200)
    s.clock.advance(1)
    const gone = await s.api('GET', `/retrieve/${requestId}`)
    expect(gone.status).toBe(404)
    expect(gone.body.errorCode).toBe('RESULT_NOT_FOUND')
  })
})
