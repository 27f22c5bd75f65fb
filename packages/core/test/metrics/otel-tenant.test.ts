import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
} from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { metricsScenario, type MetricsScenario } from './scenario.js'

describe('OpenTelemetry metrics: the tenant attribute', () => {
  let s: MetricsScenario | undefined
  let provider: MeterProvider | undefined
  afterEach(async () => {
    await s?.cleanup()
    await provider?.shutdown()
  })

  /** Runs one tenant's event to delivery and returns the attribute sets of `hookbox.attempts`. */
  async function attemptAttributes(tenantMetricAttribute?: boolean): Promise<Array<Record<string, unknown>>> {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
    provider = new MeterProvider({ readers: [reader] })
    const telemetry = { meterProvider: provider, ...(tenantMetricAttribute !== undefined && { tenantMetricAttribute }) }
    s = await metricsScenario({ telemetry })
    await s.outbox.endpoints.create({ tenant: 'acme', collection: 'events', url: `${s.receiver.url}/ok`, events: ['a.ok'] })
    await s.outbox.notify({ tenant: 'acme', type: 'a.ok', payload: 1 })
    await s.outbox.notify({ type: 'a.ok', payload: 2 })
    await s.outbox.drain()
    await reader.forceFlush()
    const scope = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .find((m) => m.scope.name === 'hookbox')
    const attempts = scope?.metrics.find((m) => m.descriptor.name === 'hookbox.attempts')
    return ((attempts?.dataPoints ?? []) as Array<DataPoint<number>>).map((p) => p.attributes)
  }

  it('counts attempts per tenant by default, the platform as the empty tenant', async () => {
    const attrs = await attemptAttributes()
    expect(attrs.map((a) => a['hookbox.tenant']).sort()).toEqual(['', 'acme'])
  })

  it('leaves the tenant off every metric with tenantMetricAttribute: false', async () => {
    const attrs = await attemptAttributes(false)
    expect(attrs).toHaveLength(1)
    expect(attrs[0]).not.toHaveProperty('hookbox.tenant')
  })
})
