import type { MeterProvider, TextMapPropagator, TracerProvider } from '@opentelemetry/api'

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
  meterProvider?: MeterProvider
  /** Where the attempt spans go (default: the global `TracerProvider`). */
  tracerProvider?: TracerProvider
  /** Writes the trace context into outgoing requests (default: the global propagator, e.g. W3C `traceparent`). */
  propagator?: TextMapPropagator
  /**
   * Whether metrics carry a `hookbox.tenant` attribute (default true). Turn it off for hosts
   * with very many tenants, where one series per tenant costs too much; spans always carry it.
   */
  tenantMetricAttribute?: boolean
}
