import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { EventEmitter } from 'eventemitter3'
import { afterEach, describe, expect, it } from 'vitest'
import type { OutboxEvents } from '../../src/events.js'
import type { AttemptSpanInfo } from '../../src/telemetry/attempt-tracer.js'
import { createOutboxTelemetry } from '../../src/telemetry/outbox-telemetry.js'

// The global tracer with no SDK skips starting spans (see globalTracerIdle): what it sends must not change.
const info: AttemptSpanInfo = {
  eventType: 'a.b',
  url: 'http://127.0.0.1:9/x',
  messageId: 'm1',
  requestId: 'r1',
  endpointId: 'e1',
  attemptId: 'a1',
}
const tracerOf = () => createOutboxTelemetry(undefined, new EventEmitter<OutboxEvents>(), () => Promise.reject(new Error('unused'))).tracer!

describe('the global OpenTelemetry tracer', () => {
  afterEach(() => {
    trace.disable()
    propagation.disable()
    context.disable()
  })

  it('traces nothing without an SDK, and picks up one registered later', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    const tracer = tracerOf()
    expect(await tracer.start(info)).toBeUndefined()
    const spans = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
    trace.setGlobalTracerProvider(provider)
    const traced = await tracer.start(info)
    expect(traced?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    traced!.end({ ok: true, latencyMs: 1, response: { status: 200, contentType: undefined, retryAfterMs: null, snippet: '' } })
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(['webhook send a.b'])
    await provider.shutdown()
  })

  it('is idle once the API has loaded with no SDK, and not with an SDK or an active span context', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    const tracer = tracerOf()
    // Not known before the API has loaded: the first attempt is started.
    expect(tracer.idle?.()).toBe(false)
    expect(await tracer.start(info)).toBeUndefined()
    expect(tracer.idle?.()).toBe(true)
    const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED }
    expect(context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () => tracer.idle?.())).toBe(false)
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] })
    trace.setGlobalTracerProvider(provider)
    expect(tracer.idle?.()).toBe(false)
    await provider.shutdown()
  })

  it('is never idle with a tracer provider of its own', async () => {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] })
    const tracer = createOutboxTelemetry({ tracerProvider: provider }, new EventEmitter<OutboxEvents>(), () =>
      Promise.reject(new Error('unused')),
    ).tracer!
    expect(await tracer.start(info)).toBeDefined()
    expect(tracer.idle?.()).toBe(false)
    await provider.shutdown()
  })

  it('without an SDK still passes on the active span context (a host propagating its own)', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    const tracer = tracerOf()
    await tracer.start(info) // loads the API
    const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED }
    const traced = await context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () => tracer.start(info))
    expect(traced?.headers.traceparent).toBe(`00-${parent.traceId}-${parent.spanId}-01`)
    expect(await tracer.start(info)).toBeUndefined()
  })
})
