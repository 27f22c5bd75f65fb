import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LATENCY_BUCKETS_MS } from '../../src/index.js'
import { eventually } from '../../src/testing/conformance.js'
import { metricsScenario, type MetricsScenario } from './scenario.js'

describe('OpenTelemetry metrics', () => {
  let s: MetricsScenario
  let exporter: InMemoryMetricExporter
  let reader: PeriodicExportingMetricReader
  let provider: MeterProvider

  beforeEach(async () => {
    exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    // Exports only when flushed: the test decides when a collection happens.
    reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
    provider = new MeterProvider({ readers: [reader] })
    s = await metricsScenario({ telemetry: { meterProvider: provider } })
  })
  afterEach(async () => {
    await s.cleanup()
    await provider.shutdown()
  })

  /** Collects now and returns the metrics of the `hookbox` meter by name. */
  async function collect(): Promise<Map<string, MetricData>> {
    exporter.reset()
    await reader.forceFlush()
    const scopes = exporter.getMetrics().flatMap((r) => r.scopeMetrics)
    const scope = scopes.find((m) => m.scope.name === 'hookbox')
    return new Map((scope?.metrics ?? []).map((m) => [m.descriptor.name, m]))
  }

  const points = (m: MetricData | undefined) => (m?.dataPoints ?? []) as Array<DataPoint<number>>
  const valueWhere = (m: MetricData | undefined, attrs: Record<string, string>) =>
    points(m).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))?.value

  it('counts attempts by outcome, final states and dead letters, and times attempts', async () => {
    await s.notifyAll()
    await s.outbox.drain()
    const m = await collect()

    const attempts = m.get('hookbox.attempts')
    expect(attempts?.descriptor.unit).toBe('{attempt}')
    expect(valueWhere(attempts, { 'hookbox.attempt.outcome': 'ack', 'hookbox.event_type': 'a.ok' })).toBe(1)
    expect(valueWhere(attempts, { 'hookbox.attempt.outcome': 'retry', 'hookbox.event_type': 'a.flaky' })).toBe(1)
    expect(valueWhere(attempts, { 'hookbox.attempt.outcome': 'stop', 'hookbox.event_type': 'a.bad' })).toBe(1)

    const completed = m.get('hookbox.deliveries.completed')
    expect(valueWhere(completed, { 'hookbox.delivery.state': 'delivered' })).toBe(1)
    expect(valueWhere(completed, { 'hookbox.delivery.state': 'dead' })).toBe(1)
    expect(valueWhere(m.get('hookbox.dead_letters'), { 'hookbox.event_type': 'a.bad' })).toBe(1)
    expect(valueWhere(m.get('hookbox.deliveries.retried'), { 'hookbox.event_type': 'a.flaky' })).toBe(1)

    const duration = m.get('hookbox.attempt.duration')
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM)
    expect(duration?.descriptor.unit).toBe('s')
    const histograms = (duration?.dataPoints ?? []) as Array<DataPoint<Histogram>>
    expect(histograms.reduce((n, p) => n + p.value.count, 0)).toBe(3)
    expect(histograms[0]!.value.buckets.boundaries).toEqual(LATENCY_BUCKETS_MS.map((ms) => ms / 1000))
  })

  it('observes pending work and its age from the store, once per collection', async () => {
    const queries: number[] = []
    const { housekeeping } = s.outbox.store
    const stats = housekeeping.stats.bind(housekeeping)
    housekeeping.stats = (request) => (queries.push(request.now), stats(request))

    await s.notifyAll()
    s.clock.advance(90_000)
    // The API is imported asynchronously when the outbox is created; gauges appear once it is in.
    let m: Map<string, MetricData> = await eventually(async () => {
      const got = await collect()
      return got.has('hookbox.deliveries.pending') ? got : undefined
    }).then((got) => got!)
    expect(queries).toHaveLength(1)
    expect(points(m.get('hookbox.deliveries.pending'))[0]?.value).toBe(0)
    expect(points(m.get('hookbox.messages.unexpanded'))[0]?.value).toBe(3)
    expect(m.get('hookbox.deliveries.oldest_pending_age')?.descriptor.unit).toBe('s')
    expect(points(m.get('hookbox.deliveries.oldest_pending_age'))[0]?.value).toBe(90)

    await s.outbox.drain()
    s.clock.advance(120_000)
    m = await collect()
    expect(points(m.get('hookbox.deliveries.pending'))[0]?.value).toBe(1)
    expect(points(m.get('hookbox.deliveries.due'))[0]?.value).toBe(0)
    expect(points(m.get('hookbox.deliveries.dead'))[0]?.value).toBe(1)
    expect(points(m.get('hookbox.deliveries.oldest_pending_age'))[0]?.value).toBe(120)
    expect(points(m.get('hookbox.endpoints.disabled'))[0]?.value).toBe(0)
  })

  it('stops querying the store once the outbox is closed', async () => {
    let queries = 0
    const { housekeeping } = s.outbox.store
    const stats = housekeeping.stats.bind(housekeeping)
    housekeeping.stats = (request) => (queries++, stats(request))
    await s.outbox.drain()
    expect((await collect()).has('hookbox.deliveries.pending')).toBe(true)
    expect(queries).toBe(1)
    await s.outbox.close()
    await collect()
    expect(queries).toBe(1)
  })
})
