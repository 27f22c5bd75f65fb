import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock, noAuthentication, type Transport, type TransportRequest } from '../../src/index.js'
import { sendAttempt } from '../../src/dispatcher/send-attempt.js'
import { otelAttemptTracer } from '../../src/telemetry/otel-attempt-tracer.js'
import { loadOtelApi } from '../../src/telemetry/load-otel-api.js'
import { Transports } from '../../src/transport/transports.js'
import { endpoint, message } from '../../src/testing/conformance.js'
import { metricsScenario, type MetricsScenario } from './scenario.js'

/** `00-<trace id>-<span id>-<flags>` → its parts. */
function parseTraceparent(header: unknown): { traceId: string; spanId: string } {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(String(header))
  if (!m) throw new Error(`not a traceparent: ${String(header)}`)
  return { traceId: m[1]!, spanId: m[2]! }
}

describe('OpenTelemetry tracing', () => {
  let spans: InMemorySpanExporter
  let provider: BasicTracerProvider
  let s: MetricsScenario | undefined

  beforeEach(() => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    spans = new InMemorySpanExporter()
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  })
  afterEach(async () => {
    await s?.cleanup()
    s = undefined
    await provider.shutdown()
    propagation.disable()
    context.disable()
  })

  it('sends each attempt in a CLIENT span whose context reaches the receiver as traceparent', async () => {
    s = await metricsScenario({ telemetry: { tracerProvider: provider } }, '?token=secret&tenant=a')
    await s.notifyAll()
    await s.outbox.drain()
    expect(s.receiver.requests).toHaveLength(3)
    const finished = spans.getFinishedSpans()
    expect(finished).toHaveLength(3)

    for (const req of s.receiver.requests) {
      const sent = parseTraceparent(req.headers.traceparent)
      const span = finished.find((x) => x.spanContext().spanId === sent.spanId)
      expect(span, `span for ${req.path}`).toBeDefined()
      expect(span!.spanContext().traceId).toBe(sent.traceId)
      expect(span!.kind).toBe(SpanKind.CLIENT)
      const eventType = `a.${req.path.slice(1).split('?')[0]}`
      expect(span!.name).toBe(`webhook send ${eventType}`)
      expect(span!.attributes['url.full']).toBe(`${s.receiver.url}${req.path.split('?')[0]}?token=REDACTED&tenant=REDACTED`)
      expect(span!.attributes['http.request.method']).toBe('POST')
      expect(span!.attributes['hookbox.message_id']).toBe(req.headers['webhook-id'])
      expect(span!.attributes['hookbox.event_type']).toBe(eventType)
      expect(typeof span!.attributes['hookbox.endpoint_id']).toBe('string')
    }

    const byPath = (p: string) => finished.find((x) => String(x.attributes['url.full']).includes(p))!
    expect(byPath('/ok').attributes['http.response.status_code']).toBe(200)
    expect(byPath('/ok').status.code).toBe(SpanStatusCode.UNSET)
    expect(byPath('/flaky').attributes['http.response.status_code']).toBe(500)
    expect(byPath('/flaky').status.code).toBe(SpanStatusCode.ERROR)
    expect(byPath('/bad').attributes['error.type']).toBe('400')
  })

  it('sends nothing extra and records no span with telemetry: false', async () => {
    s = await metricsScenario({ telemetry: false })
    await s.notifyAll()
    await s.outbox.drain()
    expect(s.receiver.requests).toHaveLength(3)
    expect(s.receiver.requests.every((r) => r.headers.traceparent === undefined)).toBe(true)
    expect(spans.getFinishedSpans()).toHaveLength(0)
    expect(await s.outbox.stats()).toMatchObject({ attempts: { ack: 1, retry: 1, stop: 1, error: 0 }, dead: 1 })
  })

  it('labels the span with the delivery and round when the send path is given them', async () => {
    const seen: TransportRequest[] = []
    const fake: Transport = {
      schemes: ['https:'],
      async send(request) {
        seen.push(request)
        return { ok: false, latencyMs: 3, error: { kind: 'timeout', message: 'timed out' } }
      },
    }
    const api = await loadOtelApi()
    const tracer = provider.getTracer('hookbox')
    const ctx = {
      transports: new Transports([fake]),
      authenticator: noAuthentication,
      clock: new ManualClock(),
      userAgent: 'test',
      trace: otelAttemptTracer(async () => ({ api: api!, tracer, propagator: undefined })),
    }
    await sendAttempt(ctx, message(), endpoint({ url: 'https://user:pw@example.com/hook' }), 1_000, { id: 'dlv_1', attempts: 2 })
    const [span] = spans.getFinishedSpans()
    expect(span!.attributes).toMatchObject({
      'hookbox.delivery_id': 'dlv_1',
      'hookbox.round': 3,
      'url.full': 'https://example.com/hook',
      'error.type': 'timeout',
    })
    expect(span!.status.code).toBe(SpanStatusCode.ERROR)
    expect(parseTraceparent(seen[0]!.headers.traceparent).spanId).toBe(span!.spanContext().spanId)
  })

  // Issue 16: a promise and a turn of microtasks per attempt for a tracer that is loaded.
  it('once the API is loaded, starts each attempt’s span synchronously', async () => {
    const api = await loadOtelApi()
    const tracer = otelAttemptTracer(async () => ({ api: api!, tracer: provider.getTracer('hookbox'), propagator: undefined }))
    const info = {
      eventType: 'e',
      url: 'https://example.com/hook',
      messageId: 'msg_1',
      requestId: 'req_1',
      endpointId: 'ep_1',
      attemptId: 'att_1',
    }
    const first = await tracer.start(info)
    const second = tracer.start({ ...info, attemptId: 'att_2' })
    expect(typeof (second as { then?: unknown } | undefined)?.then).toBe('undefined')
    const traced = second as Exclude<typeof second, Promise<unknown>>
    expect(parseTraceparent(traced!.headers.traceparent).traceId).not.toBe(parseTraceparent(first!.headers.traceparent).traceId)
    traced!.end({ ok: true, latencyMs: 1, response: { status: 200, contentType: undefined, retryAfterMs: null, snippet: '' } })
    first!.end({ ok: true, latencyMs: 1, response: { status: 200, contentType: undefined, retryAfterMs: null, snippet: '' } })
    expect(spans.getFinishedSpans().map((sp) => sp.attributes['hookbox.attempt_id'])).toEqual(['att_2', 'att_1'])
  })
})
