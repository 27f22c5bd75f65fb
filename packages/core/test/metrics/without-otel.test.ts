import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadOtelApi } from '../../src/telemetry/load-otel-api.js'
import { metricsScenario, type MetricsScenario } from './scenario.js'

// As if the host had not installed the optional peer dependency.
vi.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find package '@opentelemetry/api'")
})

describe('without @opentelemetry/api installed', () => {
  let s: MetricsScenario | undefined
  afterEach(async () => {
    await s?.cleanup()
    s = undefined
  })

  it('delivers and keeps stats(), with no trace headers and no error', async () => {
    s = await metricsScenario()
    const errors: unknown[] = []
    s.outbox.on('error', (e) => errors.push(e))
    await s.notifyAll()
    await s.outbox.drain()
    expect(s.receiver.requests).toHaveLength(3)
    expect(s.receiver.requests.every((r) => r.headers.traceparent === undefined)).toBe(true)
    expect(await s.outbox.stats()).toMatchObject({ attempts: { ack: 1, retry: 1, stop: 1, error: 0 }, pending: 1, dead: 1 })
    expect(errors).toEqual([])
    expect(await loadOtelApi()).toBeNull()
  })
})
