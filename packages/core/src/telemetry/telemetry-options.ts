/**
 * The part of an OpenTelemetry `MeterProvider` Hookbox calls. Declared here rather than imported
 * from `@opentelemetry/api` (an optional peer), so Hookbox's types compile without it; any
 * provider from the API or an SDK fits.
 */
export interface OtelMeterProvider {
  /** Returns the `Meter` of an instrumentation scope. */
  getMeter(name: string, version?: string): unknown
}

/** The part of an OpenTelemetry `TracerProvider` Hookbox calls; see {@link OtelMeterProvider}. */
export interface OtelTracerProvider {
  /** Returns the `Tracer` of an instrumentation scope. */
  getTracer(name: string, version?: string): unknown
}

/** An OpenTelemetry `TextMapPropagator` (e.g. W3C trace context); see {@link OtelMeterProvider}. */
export interface OtelTextMapPropagator {
  /** Writes the context into a carrier (the request headers). */
  inject(context: unknown, carrier: unknown, setter?: unknown): void
  /** Reads a context from a carrier. */
  extract(context: unknown, carrier: unknown, getter?: unknown): unknown
  /** The carrier keys it writes. */
  fields(): string[]
}

/**
 * OpenTelemetry for an outbox. Used only when the host has installed `@opentelemetry/api`
 * (an optional peer dependency); Hookbox never loads an SDK itself. Each provider defaults to
 * the API's global one, so a host that registers its SDK (e.g. `NodeSDK`) before creating the
 * outbox needs no option at all. Pass `telemetry: false` to turn it off.
 *
 * @example
 * ```ts
 * const outbox = createOutbox({ store, telemetry: { meterProvider, tracerProvider } })
 * ```
 */
export interface TelemetryOptions {
  /** Where the metrics go (default: the global `MeterProvider`). */
  meterProvider?: OtelMeterProvider
  /** Where the attempt spans go (default: the global `TracerProvider`). */
  tracerProvider?: OtelTracerProvider
  /** Writes the trace context into outgoing requests (default: the global propagator, e.g. W3C `traceparent`). */
  propagator?: OtelTextMapPropagator
  /**
   * Whether metrics carry a `hookbox.tenant` attribute (default true). Turn it off for hosts
   * with very many tenants, where one series per tenant costs too much; spans always carry it.
   */
  tenantMetricAttribute?: boolean
}
