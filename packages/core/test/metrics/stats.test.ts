import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LATENCY_BUCKETS_MS } from '../../src/index.js'
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js'
import { metricsScenario, RETRY_MS, type MetricsScenario } from './scenario.js'

describe('outbox.stats()', () => {
  let s: MetricsScenario

  beforeEach(async () => {
    s = await metricsScenario({ telemetry: false })
  })
  afterEach(() => s.cleanup())

  it('reports pending work, its age on the outbox clock, outcomes, final states and latency', async () => {
    const empty = await s.outbox.stats()
    expect(empty).toMatchObject({ pending: 0, unexpandedMessages: 0, oldestPendingAgeMs: null, oldestPendingCreatedAt: null, dead: 0 })
    expect(empty.attempts).toEqual({ ack: 0, retry: 0, stop: 0, error: 0 })
    expect(empty.latency).toMatchObject({ count: 0, p50: null })

    const notifiedAt = s.clock.now()
    await s.notifyAll()
    s.clock.advance(60_000)
    expect(await s.outbox.stats()).toMatchObject({
      at: notifiedAt + 60_000,
      pending: 0,
      unexpandedMessages: 3,
      oldestPendingCreatedAt: notifiedAt,
      oldestPendingAgeMs: 60_000,
    })

    // First pass: 200 → delivered, 500 → retried in 15 minutes, 400 → dead letter.
    await s.outbox.drain()
    expect(s.receiver.requests).toHaveLength(3)
    const expandedAt = s.clock.now()
    s.clock.advance(5 * 60_000)
    const after = await s.outbox.stats()
    expect(after).toMatchObject({
      pending: 1,
      due: 0,
      inFlight: 0,
      unexpandedMessages: 0,
      oldestPendingCreatedAt: expandedAt,
      oldestPendingAgeMs: 5 * 60_000,
      dead: 1,
      failed: 0,
      pausedEndpoints: 0,
      disabledEndpoints: 0,
      attempts: { ack: 1, retry: 1, stop: 1, error: 0 },
      completed: { delivered: 1, failed: 0, dead: 1 },
      retries: 1,
      errors: 0,
    })
    expect(after.latency.count).toBe(3)
    expect(after.latency.buckets.reduce((n, b) => n + b.count, 0)).toBe(3)
    expect(after.latency.p50).not.toBeNull()

    // The retry is due 15 minutes after the failure; the receiver now acknowledges.
    s.clock.set(expandedAt + RETRY_MS)
    expect(await s.outbox.stats()).toMatchObject({ pending: 1, due: 1 })
    await s.outbox.drain()
    const done = await s.outbox.stats()
    expect(done).toMatchObject({
      pending: 0,
      oldestPendingAgeMs: null,
      dead: 1,
      attempts: { ack: 2, retry: 1, stop: 1, error: 0 },
      completed: { delivered: 2, failed: 0, dead: 1 },
    })
    expect(done.latency.count).toBe(4)
  })

  it('counts attempts that got no response as errors, and disabled endpoints', async () => {
    await s.receiver.close()
    await s.outbox.notify({ type: 'a.ok', payload: {} })
    await s.outbox.drain()
    const [ok] = await s.outbox.endpoints.list({ collection: 'events' })
    await s.outbox.endpoints.disable(ok!.id)
    expect(await s.outbox.stats()).toMatchObject({ pending: 1, attempts: { ack: 0, retry: 0, stop: 0, error: 1 }, disabledEndpoints: 1 })
  })
})

describe('LatencyHistogram', () => {
  it('buckets latencies and estimates percentiles within the observed range', () => {
    const h = new LatencyHistogram()
    for (let ms = 1; ms <= 100; ms++) h.record(ms)
    const snap = h.snapshot()
    expect(snap.count).toBe(100)
    expect(snap.sumMs).toBe(5050)
    expect(snap.buckets.map((b) => b.le)).toEqual([...LATENCY_BUCKETS_MS, Infinity])
    expect(snap.buckets.slice(0, 5).map((b) => b.count)).toEqual([5, 5, 15, 25, 50])
    expect(snap.p50).toBe(50)
    expect(snap.p90).toBeCloseTo(90)
    expect(snap.p99).toBeCloseTo(99)
    expect(snap.minMs).toBe(1)
    expect(snap.maxMs).toBe(100)
  })

  it('keeps estimates inside [min, max] and handles the unbounded bucket', () => {
    const h = new LatencyHistogram()
    h.record(30_000)
    h.record(40_000)
    const snap = h.snapshot()
    expect(snap.buckets.at(-1)).toEqual({ le: Infinity, count: 2 })
    expect(snap.p50).toBeGreaterThanOrEqual(30_000)
    expect(snap.p99).toBeLessThanOrEqual(40_000)
  })
})
