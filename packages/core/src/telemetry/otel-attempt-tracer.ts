import type { Attributes, TextMapPropagator, Tracer } from '@opentelemetry/api'
import type { SendResult } from '../transport/transport.js'
import type { AttemptSpanInfo, AttemptTracer, TracedAttempt } from './attempt-tracer.js'
import type { OtelApi } from './load-otel-api.js'
import { spanUrl } from './redact-url.js'

/** Where the tracer comes from, resolved once the API is loaded. */
export interface OtelTracing {
  api: OtelApi
  tracer: Tracer
  propagator: TextMapPropagator | undefined
  /**
   * Whether an attempt started now would go untraced for sure (no SDK behind the API's global
   * tracer, no span in the active context): it is then not started at all.
   */
  idle?: () => boolean
}

/**
 * Traces each attempt as a CLIENT span `webhook send <event type>` (HTTP client semantic
 * conventions plus `hookbox.*` ids) and injects its context into the request headers, so the
 * receiver's trace continues from it.
 */
export function otelAttemptTracer(tracing: () => Promise<OtelTracing | null>): AttemptTracer {
  // Once the API is loaded (or known absent), each attempt starts its span at once: no promise
  // and no turn of the event loop per attempt.
  let loaded: { tracing: OtelTracing | null } | undefined
  const start = (t: OtelTracing | null, info: AttemptSpanInfo) => {
    try {
      return t && !t.idle?.() ? startSpan(t, info) : undefined
    } catch {
      // Tracing must never stop a webhook from being sent.
      return undefined
    }
  }
  return {
    start(info: AttemptSpanInfo): Promise<TracedAttempt | undefined> | TracedAttempt | undefined {
      if (loaded) return start(loaded.tracing, info)
      return tracing().then(
        (t) => {
          loaded = { tracing: t }
          return start(t, info)
        },
        () => undefined,
      )
    },
    idle(): boolean {
      // Not known before the API has loaded: the first attempts start (and load it) as before.
      if (!loaded) return false
      try {
        return loaded.tracing === null || loaded.tracing.idle?.() === true
      } catch {
        return false
      }
    },
  }
}

function startSpan({ api, tracer, propagator }: OtelTracing, info: AttemptSpanInfo): TracedAttempt | undefined {
  const span = tracer.startSpan(`webhook send ${info.eventType}`, { kind: api.SpanKind.CLIENT })
  // No SDK registered (the API's no-op tracer): nothing to record or propagate, so no per-attempt cost.
  if (!span.isRecording() && !api.trace.isSpanContextValid(span.spanContext())) return undefined
  const url = spanUrl(info.url)
  const attributes: Attributes = {
    'hookbox.message_id': info.messageId,
    'hookbox.request_id': info.requestId,
    'hookbox.endpoint_id': info.endpointId,
    'hookbox.attempt_id': info.attemptId,
    'hookbox.event_type': info.eventType,
  }
  if (info.tenant) attributes['hookbox.tenant'] = info.tenant
  if (info.deliveryId !== undefined) attributes['hookbox.delivery_id'] = info.deliveryId
  if (info.round !== undefined) attributes['hookbox.round'] = info.round
  if (url) {
    attributes['http.request.method'] = 'POST'
    attributes['url.full'] = url.href
    attributes['server.address'] = url.hostname
    attributes['server.port'] = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  }
  span.setAttributes(attributes)
  const ctx = api.trace.setSpan(api.context.active(), span)
  const headers: Record<string, string> = {}
  if (propagator) propagator.inject(ctx, headers, api.defaultTextMapSetter)
  else api.propagation.inject(ctx, headers)
  return {
    headers,
    run: (send) => api.context.with(ctx, send),
    end(result: SendResult) {
      try {
        if (result.ok) {
          // A non-HTTP transport's reply code (SMTP 250…) is not an HTTP status.
          span.setAttribute(url ? 'http.response.status_code' : 'hookbox.response_code', result.response.status)
          if (result.response.status >= 400) {
            span.setAttribute('error.type', String(result.response.status))
            span.setStatus({ code: api.SpanStatusCode.ERROR })
          }
        } else {
          span.setAttribute('error.type', result.error.kind)
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: result.error.message })
        }
        span.end()
      } catch {
        // A misbehaving SDK must not fail the attempt.
      }
    },
  }
}

/**
 * {@link OtelTracing.idle} for the API's global tracer. That tracer is a proxy: until an SDK is
 * registered it hands out the no-op tracer, whose spans record nothing and carry only the
 * active context's span (none here), so the span, its name and attributes would be built for
 * nothing on every attempt. Looked up per attempt: an SDK registered later is picked up at once.
 * A global from another copy of the API never compares equal: those attempts are started as before.
 */
export function globalTracerIdle(api: OtelApi): () => boolean {
  const noopProvider = new api.ProxyTracerProvider().getDelegate()
  return () => {
    const provider = api.trace.getTracerProvider() as { getDelegate?: () => unknown }
    return provider.getDelegate?.() === noopProvider && api.trace.getSpanContext(api.context.active()) === undefined
  }
}
