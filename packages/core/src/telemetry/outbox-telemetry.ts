import type { Meter, TextMapPropagator, Tracer } from '@opentelemetry/api'
import type { EventEmitter } from 'eventemitter3'
import { createRequire } from 'node:module'
import type { OutboxEvents } from '../events.js'
import type { AttemptTracer } from './attempt-tracer.js'
import { loadOtelApi } from './load-otel-api.js'
import { globalTracerIdle, otelAttemptTracer, type OtelTracing } from './otel-attempt-tracer.js'
import { registerOtelMetrics, type StatsReader } from './otel-metrics.js'
import type { TelemetryOptions } from './telemetry-options.js'

/** The OpenTelemetry side of one outbox. */
export interface OutboxTelemetry {
  /** The hook the send path calls around each attempt; undefined when telemetry is off. */
  readonly tracer: AttemptTracer | undefined
  /** Resolves once instruments are registered: true, or false without `@opentelemetry/api`. */
  readonly ready: Promise<boolean>
  /** Removes listeners and gauge callbacks. */
  close(): void
}

/** The instrumentation scope's version: this package's, read where src/ and dist/ both sit. */
function packageVersion(): string | undefined {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version?: string }).version
  } catch {
    return undefined
  }
}

/**
 * Starts loading `@opentelemetry/api` at once (it is an optional peer, never imported
 * statically) and, when present, registers the metrics on the outbox's events and a tracer for
 * the send path. Without the API, or with `false`, everything is a no-op.
 */
export function createOutboxTelemetry(
  options: TelemetryOptions | false | undefined,
  emitter: EventEmitter<OutboxEvents>,
  readStats: StatsReader,
): OutboxTelemetry {
  if (options === false) return { tracer: undefined, ready: Promise.resolve(false), close: () => {} }
  const o = options ?? {}
  let closed = false
  let unregister: (() => void) | null = null
  const onError = (error: unknown) => emitter.emit('error', { error, phase: 'metrics' })
  const ready = loadOtelApi().then((api) => {
    if (!api || closed) return false
    try {
      // The options' providers are typed structurally (the API is optional); they are the API's own.
      const meter = (o.meterProvider ?? api.metrics.getMeterProvider()).getMeter('hookbox', packageVersion()) as Meter
      // No SDK: the API's no-op meter, which stays one (a provider registered later is never
      // picked up by it). Its listeners would build attributes on every attempt for nothing.
      if (meter !== api.createNoopMeter())
        unregister = registerOtelMetrics(meter, emitter, readStats, onError, o.tenantMetricAttribute !== false)
    } catch (error) {
      onError(error)
    }
    return true
  })
  let tracing: Promise<OtelTracing | null> | undefined
  const resolveTracing = () =>
    (tracing ??= loadOtelApi().then((api) =>
      api
        ? {
            api,
            // The API's global tracer is a proxy: an SDK registered later is still picked up.
            tracer: o.tracerProvider
              ? (o.tracerProvider.getTracer('hookbox', packageVersion()) as Tracer)
              : api.trace.getTracer('hookbox', packageVersion()),
            propagator: o.propagator as TextMapPropagator | undefined,
            ...(!o.tracerProvider && { idle: globalTracerIdle(api) }),
          }
        : null,
    ))
  return {
    tracer: otelAttemptTracer(resolveTracing),
    ready,
    close() {
      closed = true
      unregister?.()
      unregister = null
    },
  }
}
