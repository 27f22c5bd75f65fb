import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from './harness.js'

// Every webhook the service sends is signed by default, and the receiver checks each one with
// the standardwebhooks package before its scheme's own check counts (SQLite; the platform
// suites run on Postgres too).
describe('signed webhooks, verified by the receiver', () => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack('sqlite')
  })
  afterAll(() => s?.close())

  it('signs the webhooks of every platform, and the receiver accepts them only with a valid signature', async () => {
    const { entity } = (await s.api('POST', '/v1/entities', {})).body
    await s.api('POST', `/v1/entities/${entity.entityId}/verify`, { outcome: 'PASS', riskScore: 3 }, { 'X-Frankie-Background': '1' })
    await s.api('POST', '/v2/individuals/ent-sig/idv/token', {})
    const { interviewId } = (await s.api('POST', '/incode/interviews', {})).body
    await s.api('POST', `/incode/interviews/${interviewId}/status`, { onboardingStatus: 'ID_VALIDATION_FINISHED' })
    await s.settle()
    const got = s.receiver.received
    expect(new Set(got.map((r) => r.key.split('/')[0]))).toEqual(new Set(['v1', 'v2', 'incode']))
    for (const r of got) {
      expect(r.headers['webhook-signature'], r.key).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
      expect(r.auth, r.key).not.toMatch(/rejected/)
      expect(r.status, r.key).toBeLessThan(300)
    }
  })

  it('rejects a body changed after signing, and a request from an endpoint whose secret it does not know', async () => {
    const [real] = s.receiver.received.filter((r) => r.key === 'v1/RESULT')
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(real!.headers[h])]))
    const post = (path: string, body: unknown) =>
      fetch(`${s.receiverUrl}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const forged = await post(real!.path, { ...real!.body, functionResult: 'FAILED' })
    expect(forged.status).toBe(401)
    expect(s.receiver.received.at(-1)!.auth).toBe('signature rejected: no matching v1 signature')
    const stranger = await post(`/frankieone/v1/STRANGER/${real!.requestId}`, real!.body)
    expect(stranger.status).toBe(401)
    expect(s.receiver.received.at(-1)!.auth).toBe('signature rejected: no signing secret for /frankieone/v1/STRANGER')
  })
})
