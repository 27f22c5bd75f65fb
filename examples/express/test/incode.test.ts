import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onboardingStatusEvent } from '../src/incode.js'
import { availableStores, startStack, type Stack } from './harness.js'

const stores = await availableStores()
const ORDER = [
  'ID_VALIDATION_FINISHED',
  'GOVERNMENT_VALIDATION_FINISHED',
  'FACE_VALIDATION_FINISHED',
  'POST_PROCESSING_FINISHED',
  'ONBOARDING_FINISHED',
  'MANUAL_REVIEW_APPROVED',
]

describe.each(stores)('Incode on %s', (kind) => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack(kind)
  })
  afterAll(() => s?.close())

  const start = async (externalCustomerId?: string) =>
    (await s.api('POST', '/incode/interviews', externalCustomerId ? { externalCustomerId } : {})).body.interviewId as string
  const setStatus = (id: string, onboardingStatus: string) => s.api('POST', `/incode/interviews/${id}/status`, { onboardingStatus })
  const got = (key: string, id: string) => s.receiver.received.filter((r) => r.key === key && r.body.interviewId === id)
  const accepted = (key: string, id: string) =>
    got(key, id)
      .filter((r) => r.status === 204 || (r.status === 200 && r.contentType === 'application/json'))
      .map((r) => r.body.onboardingStatus)

  it('delivers one interview’s statuses in order, holding later ones while an earlier one is retried', async () => {
    const a = await start('MyCustomerID#0001')
    const b = await start()
    // The first status is refused twice: 500, then 200 without JSON (not an acknowledgement for Incode).
    s.receiver.script('incode/main', 500, { status: 200, contentType: 'text/plain', body: 'ok' })
    for (const status of ORDER) expect((await setStatus(a, status)).status).toBe(200)
    await s.settle()

    expect(got('incode/main', a).map((r) => [r.body.onboardingStatus, r.status])).toEqual([
      ['ID_VALIDATION_FINISHED', 500],
      ['ID_VALIDATION_FINISHED', 200],
    ])
    // Interview a waits 5 s for its next retry; other interviews are not held up.
    await setStatus(b, 'ID_VALIDATION_FINISHED')
    await s.settle()
    expect(accepted('incode/main', b)).toEqual(['ID_VALIDATION_FINISHED'])
    expect(got('incode/main', a)).toHaveLength(2)
    expect(accepted('incode/static', a)).toEqual(ORDER) // nor other endpoints

    s.clock.advance(5_000)
    await s.settle()
    expect(accepted('incode/main', a)).toEqual(ORDER)
    expect(got('incode/main', a)[0]!.body).toEqual({
      interviewId: a,
      externalCustomerId: 'MyCustomerID#0001',
      onboardingStatus: 'ID_VALIDATION_FINISHED',
    })
    expect(got('incode/main', b)[0]!.body).toEqual({ interviewId: b, onboardingStatus: 'ID_VALIDATION_FINISHED' })
  })

  it('authenticates with an OAuth2 bearer (client credentials, cached; or static) and sends custom headers', async () => {
    const id = await start()
    await setStatus(id, 'ID_VALIDATION_FINISHED')
    await setStatus(id, 'EXPIRED')
    await s.settle()
    for (const r of got('incode/main', id)) {
      expect(r.auth).toBe('bearer ok')
      expect(r.headers['x-incode-tenant']).toBe('acme')
    }
    expect(got('incode/static', id).map((r) => r.headers.authorization)).toEqual([
      'Bearer static-incode-token',
      'Bearer static-incode-token',
    ])
    expect(s.receiver.tokensIssued).toBe(1) // one token for every request so far
  })

  it('acknowledges 200 only with application/json', async () => {
    const id = await start()
    s.receiver.script('incode/main', { status: 200, contentType: 'application/json', body: '{"success":true}' })
    await setStatus(id, 'ID_VALIDATION_FINISHED')
    await s.settle()
    expect(got('incode/main', id).map((r) => r.status)).toEqual([200])
    const [delivery] = await s.outbox.deliveries.list({ collection: 'incode', state: 'pending' })
    expect(delivery).toBeUndefined()
  })

  it('never sends UNKNOWN', async () => {
    const id = await start()
    expect((await s.api('GET', `/incode/interviews/${id}/status`)).body.onboardingStatus).toBe('UNKNOWN') // visible by polling only
    await setStatus(id, 'ID_VALIDATION_FINISHED')
    const refused = await setStatus(id, 'UNKNOWN')
    expect(refused.status).toBe(422)
    expect(refused.body.errorCode).toBe('STATUS_NOT_NOTIFIABLE')
    expect((await setStatus(id, 'NOT_A_STATUS')).status).toBe(422)
    await s.settle()
    expect(got('incode/main', id).map((r) => r.body.onboardingStatus)).toEqual(['ID_VALIDATION_FINISHED'])
    expect((await s.api('GET', `/incode/interviews/${id}/status`)).body.onboardingStatus).toBe('ID_VALIDATION_FINISHED') // nothing written
    expect(() => onboardingStatusEvent({ interviewId: id, onboardingStatus: 'UNKNOWN' })).toThrow(/never notified/)
  })
})
