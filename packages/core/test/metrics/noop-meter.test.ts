import { EventEmitter } from 'eventemitter3'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import type { OutboxEvents } from '../../src/events.js'
import { createOutboxTelemetry } from '../../src/telemetry/outbox-telemetry.js'

const noStats = () => Promise.reject(new Error('not read'))

describe('metrics without an OpenTelemetry SDK', () => {
  it('listens to no event when the meter is the API no-op one (nothing would be recorded)', async () => {
    const emitter = new EventEmitter<OutboxEvents>()
    const telemetry = createOutboxTelemetry(undefined, emitter, noStats)
    expect(await telemetry.ready).toBe(true)
    expect(emitter.eventNames()).toEqual([])
    telemetry.close()
  })

  it('listens once a real meter provider is given', async () => {
    const emitter = new EventEmitter<OutboxEvents>()
    const provider = new MeterProvider()
    const telemetry = createOutboxTelemetry({ meterProvider: provider }, emitter, noStats)
    expect(await telemetry.ready).toBe(true)
    expect(emitter.listenerCount('attempt')).toBe(1)
    telemetry.close()
    expect(emitter.eventNames()).toEqual([])
    await provider.shutdown()
  })
})
