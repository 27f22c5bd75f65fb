import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ValidationError, type TransportRequest } from '@hookbox/core'
import { EMAIL_RATE_CAP_REACHED, EmailTransport, emailTransport, type EmailTransportOptions } from '../src/index.js'
import { findPart } from './support/mime.js'
import { silentServer, SmtpSink } from './support/smtp-sink.js'

/** The transport on its own, against a real SMTP server on 127.0.0.1. */
describe('EmailTransport', () => {
  let sink: SmtpSink
  const transports: EmailTransport[] = []

  function make(options: Partial<EmailTransportOptions> = {}) {
    const t = emailTransport({ host: '127.0.0.1', port: sink.port, from: 'hookbox@example.com', ...options })
    transports.push(t)
    return t
  }

  function request(to = 'ops@example.com', extra: Partial<TransportRequest> = {}): TransportRequest {
    return {
      url: `mailto:${to}`,
      messageId: '01JABCDEF0123456789ABCDEFG',
      eventType: 'entity.state_changed',
      requestId: 'req-1',
      endpointId: 'ep-1',
      body: '{"entityId":"e1","to":"PASS","name":"Zoë"}',
      timeoutMs: 5_000,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Hookbox/0.1',
        authorization: 'Bearer secret-token',
        'x-api-key': 'also-secret',
        'webhook-id': '01JABCDEF0123456789ABCDEFG',
        'webhook-timestamp': '1767225600',
        'webhook-signature': 'v1,abc=',
        'x-hookbox-event-type': 'entity.state_changed',
        'x-hookbox-request-id': 'req-1',
      },
      ...extra,
    }
  }

  beforeEach(async () => {
    sink = await SmtpSink.start()
  })
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close(1_000)
    await sink.close()
  })

  it('mails the payload readably, with webhook headers but no credentials', async () => {
    const result = await make().send(request())
    expect(result).toMatchObject({ ok: true, verdict: 'ack', response: { status: 250 } })
    const m = sink.mails[0]!
    expect(m.headers.subject).toBe('[hookbox] entity.state_changed req-1')
    expect(m.headers['message-id']).toBe('<01JABCDEF0123456789ABCDEFG.ep-1@example.com>')
    expect(m.headers['x-webhook-signature']).toBe('v1,abc=')
    expect(m.headers['x-webhook-timestamp']).toBe('1767225600')
    expect(m.raw).not.toContain('secret-token')
    expect(m.raw).not.toContain('also-secret')
    expect(m.headers).not.toHaveProperty('authorization')
    expect(findPart(m, 'text/plain')!.body).toBe('{\n  "entityId": "e1",\n  "to": "PASS",\n  "name": "Zoë"\n}\n')
    expect(findPart(m, 'application/json')!.body).toBe(request().body)
  })

  it('takes a custom subject, and can leave out the attachment', async () => {
    await make({ subject: (m) => `KYC ${m.eventType}\r\nBcc: evil@example.com`, attachPayload: false }).send(request())
    const m = sink.mails[0]!
    expect(m.headers.subject).toBe('KYC entity.state_changed Bcc: evil@example.com')
    expect(m.headers).not.toHaveProperty('bcc')
    expect(m.parts).toHaveLength(0)
    expect(JSON.parse(m.body)).toMatchObject({ entityId: 'e1' })
  })

  it('classifies replies: 451 retry, 550 stop; a bad sender is a relay problem, retried', async () => {
    sink.refuse('later@example.com', 451).refuse('nobody@example.com', 550)
    const t = make()
    expect(await t.send(request('later@example.com'))).toMatchObject({ ok: true, verdict: 'retry', response: { status: 451 } })
    expect(await t.send(request('nobody@example.com'))).toMatchObject({ ok: true, verdict: 'stop', response: { status: 550 } })
    sink.refuseSender(553)
    expect(await t.send(request())).toMatchObject({ ok: true, verdict: 'retry', response: { status: 553 } })
    expect(sink.mails).toHaveLength(0)
  })

  it('times out a relay that never greets within the attempt timeout', async () => {
    const silent = await silentServer()
    try {
      // The relay never greets: the send can end only through its timeout.
      const result = await make({ port: silent.port }).send(request('ops@example.com', { timeoutMs: 200 }))
      expect(result).toMatchObject({ ok: false, error: { kind: 'timeout' } })
    } finally {
      await silent.close()
    }
  })

  it('rate cap: waits for a slot within half the timeout', async () => {
    const t = make({ maxPerMinute: 600, burst: 1 }) // one mail per 100 ms
    expect((await t.send(request())).ok).toBe(true)
    const began = performance.now()
    expect((await t.send(request())).ok).toBe(true)
    expect(performance.now() - began).toBeGreaterThanOrEqual(80)
    expect(sink.mails).toHaveLength(2)
  })

  it('rate cap: fails at once, retryably, when the wait would exceed half the timeout', async () => {
    const t = make({ maxPerMinute: 1, burst: 1 }) // the next slot is a minute away
    expect((await t.send(request())).ok).toBe(true)
    const refused = await t.send(request('ops@example.com', { timeoutMs: 10_000 }))
    expect(refused).toMatchObject({ ok: false, error: { kind: 'other', message: EMAIL_RATE_CAP_REACHED } })
    // Waiting (for the slot, or out the timeout) would take at least 10 s: timers never fire early.
    expect(refused.latencyMs).toBeLessThan(10_000)
    expect(sink.mails).toHaveLength(1)
  })

  it('rate cap per recipient leaves other recipients alone', async () => {
    const t = make({ maxPerMinute: 1000, maxPerMinutePerRecipient: 1 })
    expect((await t.send(request('a@example.com'))).ok).toBe(true)
    expect(await t.send(request('a@example.com', { timeoutMs: 200 }))).toMatchObject({
      ok: false,
      error: { message: EMAIL_RATE_CAP_REACHED },
    })
    expect((await t.send(request('b@example.com'))).ok).toBe(true)
    expect(sink.mails.map((m) => m.to[0])).toEqual(['a@example.com', 'b@example.com'])
  })

  it('close() waits for an attempt in flight, then refuses new ones', async () => {
    const t = make()
    const sending = t.send(request())
    await t.close(5_000)
    expect(await sending).toMatchObject({ ok: true, verdict: 'ack' })
    expect(await t.send(request())).toMatchObject({ ok: false, error: { message: 'email transport is closed' } })
  })

  it('close() cuts off an attempt still running after its timeout', async () => {
    const silent = await silentServer()
    try {
      const t = make({ port: silent.port })
      const sending = t.send(request('ops@example.com', { timeoutMs: 10_000 }))
      // The attempt alone would run 10 s against a silent relay: the message says close() cut it off.
      await t.close(100)
      expect(await sending).toMatchObject({ ok: false, error: { message: 'email transport closed during the attempt' } })
    } finally {
      await silent.close()
    }
  })

  it('checks its options', () => {
    const base = { host: '127.0.0.1', from: 'hookbox@example.com' }
    expect(() => emailTransport({ ...base, from: '' })).toThrow(ValidationError)
    expect(() => emailTransport({ ...base, from: 'a@example.com\r\nBcc: x@example.com' })).toThrow(ValidationError)
    expect(() => emailTransport({ ...base, host: '' })).toThrow(ValidationError)
    expect(() => emailTransport({ ...base, port: 70_000 })).toThrow(ValidationError)
    expect(() => emailTransport({ ...base, maxPerMinute: 0 })).toThrow(ValidationError)
    expect(() => emailTransport({ ...base, maxPerMinutePerRecipient: -1 })).toThrow(ValidationError)
    expect(() => emailTransport({ ...base, burst: 0.5 })).toThrow(ValidationError)
  })
})
