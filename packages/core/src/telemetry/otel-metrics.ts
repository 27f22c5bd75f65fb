import type { BatchObservableCallback, Meter, Observable } from '@opentelemetry/api'
import type { EventEmitter } from 'eventemitter3'
import type { OutboxEvents } from '../events.js'
import { LATENCY_BUCKETS_MS } from '../metrics/latency-histogram.js'
import type { StoreStats } from '../store/store.js'

/** Reads the store's stats at the outbox clock's now. */
export type StatsReader = () => Promise<{ at: number; stats: StoreStats }>

/**
 * Registers Hookbox's instruments on `meter`:
 *
 * - counters from the outbox's events: `hookbox.attempts` (`hookbox.attempt.outcome`,
 *   `hookbox.event_type`), `hookbox.deliveries.completed` (`hookbox.delivery.state`,
 *   `hookbox.event_type`), `hookbox.dead_letters` (`hookbox.event_type`),
 *   `hookbox.deliveries.retried`, `hookbox.messages.unrouted`, `hookbox.dispatcher.errors`
 *   (`hookbox.phase`);
 * - the histogram `hookbox.attempt.duration` in seconds (`hookbox.attempt.outcome`,
 *   `hookbox.event_type`);
 * - gauges read from the store, one query per collection for all of them:
 *   `hookbox.deliveries.pending`, `.due`, `.in_flight`, `.dead`, `.failed`,
 *   `hookbox.deliveries.oldest_pending_age` (seconds, 0 when nothing is pending),
 *   `hookbox.messages.unexpanded`, `hookbox.endpoints.paused`, `hookbox.endpoints.disabled`.
 *
 * With `withTenant`, the event counters and the histogram also carry `hookbox.tenant` (`''`
 * for the platform's own messages).
 *
 * Returns a function that removes the listeners and the gauge callback.
 */
export function registerOtelMetrics(
  meter: Meter,
  emitter: EventEmitter<OutboxEvents>,
  readStats: StatsReader,
  onError: (error: unknown) => void,
  withTenant = true,
): () => void {
  const tenant = (t: string | null): Record<string, string> => (withTenant ? { 'hookbox.tenant': t ?? '' } : {})
  const attempts = meter.createCounter('hookbox.attempts', { unit: '{attempt}', description: 'HTTP attempts, by outcome' })
  const duration = meter.createHistogram('hookbox.attempt.duration', {
    unit: 's',
    description: 'Duration of HTTP attempts',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS.map((ms) => ms / 1000) },
  })
  const completed = meter.createCounter('hookbox.deliveries.completed', {
    unit: '{delivery}',
    description: 'Deliveries that reached a final state',
  })
  const deadLetters = meter.createCounter('hookbox.dead_letters', { unit: '{delivery}', description: 'Deliveries dead-lettered' })
  const retried = meter.createCounter('hookbox.deliveries.retried', { unit: '{round}', description: 'Failed rounds scheduled again' })
  const unrouted = meter.createCounter('hookbox.messages.unrouted', {
    unit: '{message}',
    description: 'Messages no enabled endpoint wanted',
  })
  const errors = meter.createCounter('hookbox.dispatcher.errors', { unit: '{error}', description: 'Dispatcher-side failures' })

  const listeners: { [E in keyof OutboxEvents]?: (...args: OutboxEvents[E]) => void } = {
    attempt: (a) => {
      const attrs = { 'hookbox.attempt.outcome': a.outcome, 'hookbox.event_type': a.type, ...tenant(a.tenant) }
      attempts.add(1, attrs)
      duration.record(Math.max(0, a.latencyMs) / 1000, attrs)
    },
    delivered: (e) => completed.add(1, { 'hookbox.delivery.state': 'delivered', 'hookbox.event_type': e.type, ...tenant(e.tenant) }),
    failed: (e) => completed.add(1, { 'hookbox.delivery.state': 'failed', 'hookbox.event_type': e.type, ...tenant(e.tenant) }),
    dead: (e) => {
      completed.add(1, { 'hookbox.delivery.state': 'dead', 'hookbox.event_type': e.type, ...tenant(e.tenant) })
      deadLetters.add(1, { 'hookbox.event_type': e.type, ...tenant(e.tenant) })
    },
    retrying: (e) => retried.add(1, { 'hookbox.event_type': e.type, ...tenant(e.tenant) }),
    unrouted: (e) => unrouted.add(1, { 'hookbox.event_type': e.type, ...tenant(e.tenant) }),
    error: (e) => errors.add(1, { 'hookbox.phase': e.phase }),
  }
  for (const [event, listener] of Object.entries(listeners)) emitter.on(event as keyof OutboxEvents, listener as never)

  const gauge = (name: string, unit: string, description: string) => meter.createObservableGauge(name, { unit, description })
  const gauges = {
    pending: gauge('hookbox.deliveries.pending', '{delivery}', 'Pending deliveries'),
    due: gauge('hookbox.deliveries.due', '{delivery}', 'Pending deliveries due now (in flight included)'),
    inFlight: gauge('hookbox.deliveries.in_flight', '{delivery}', 'Deliveries leased by a dispatcher'),
    oldestAge: gauge('hookbox.deliveries.oldest_pending_age', 's', 'Age of the oldest pending work; 0 when none'),
    dead: gauge('hookbox.deliveries.dead', '{delivery}', 'Dead letters kept'),
    failed: gauge('hookbox.deliveries.failed', '{delivery}', 'Failed deliveries kept'),
    unexpanded: gauge('hookbox.messages.unexpanded', '{message}', 'Messages not yet expanded into deliveries'),
    paused: gauge('hookbox.endpoints.paused', '{endpoint}', 'Endpoints paused by the circuit breaker'),
    disabled: gauge('hookbox.endpoints.disabled', '{endpoint}', 'Disabled endpoints'),
  }
  // Concurrent collections (several readers) share one store query.
  let reading: ReturnType<StatsReader> | null = null
  const observe: BatchObservableCallback = async (result) => {
    reading ??= readStats().finally(() => (reading = null))
    let read: Awaited<ReturnType<StatsReader>>
    try {
      read = await reading
    } catch (error) {
      onError(error)
      return
    }
    const { at, stats: s } = read
    result.observe(gauges.pending, s.pending)
    result.observe(gauges.due, s.due)
    result.observe(gauges.inFlight, s.inFlight)
    result.observe(gauges.oldestAge, s.oldestPendingCreatedAt === null ? 0 : Math.max(0, at - s.oldestPendingCreatedAt) / 1000)
    result.observe(gauges.dead, s.dead)
    result.observe(gauges.failed, s.failed)
    result.observe(gauges.unexpanded, s.unexpandedMessages)
    result.observe(gauges.paused, s.pausedEndpoints)
    result.observe(gauges.disabled, s.disabledEndpoints)
  }
  const observables: Observable[] = Object.values(gauges)
  meter.addBatchObservableCallback(observe, observables)

  return () => {
    meter.removeBatchObservableCallback(observe, observables)
    for (const [event, listener] of Object.entries(listeners)) emitter.off(event as keyof OutboxEvents, listener as never)
  }
}
