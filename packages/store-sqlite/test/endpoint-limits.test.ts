import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutbox, policies, type Outbox, type OutboxOptions } from '@hookbox/core'
import { TestReceiver } from '../../core/test/support/receiver.js'
import { localReceivers } from '../../core/test/support/test-outbox.js'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Per-endpoint limits on the real clock: slots held, and one bad receiver beside a good one. */
describe('sqlite: per-endpoint limits and isolation', () => {
  let t: ReturnType<typeof tempDatabase>
  let receiver: TestReceiver
  const outboxes: Outbox[] = []

  async function make(options: Partial<OutboxOptions> = {}): Promise<Outbox> {
    const o = createOutbox({ ...localReceivers, store: sqliteStore({ database: t.db }), ...options })
    outboxes.push(o)
    await o.migrate()
    await o.collections.upsert({ name: 'events', policy: policies.fixed() })
    return o
  }

  beforeEach(async () => {
    t = tempDatabase()
    receiver = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close({ timeout: 100 })
    await receiver.close()
    t.cleanup()
  })

  it('never has more than maxInFlight attempts open to an endpoint, and uses them all', async () => {
    let open = 0
    let peak = 0
    receiver.on('/slow', async () => {
      peak = Math.max(peak, ++open)
      await sleep(40)
      open--
      return 200
    })
    const o = await make()
    await o.endpoints.create({ collection: 'events', url: `${receiver.url}/slow`, maxInFlight: 3 })
    await o.notifyMany(Array.from({ length: 40 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    o.start()
    await receiver.waitFor(40, '/slow', 15_000)
    expect(peak).toBe(3)
  })

  it('an endpoint that times out on every request barely slows delivery to a healthy one', async () => {
    receiver.on('/ok', async () => {
      await sleep(100)
      return 200
    })
    receiver.on('/hole', () => new Promise<never>(() => {}))
    const window = 6_000

    /** Healthy deliveries per second over `window`, from a backlog, with or without the black hole beside it. */
    async function healthyRate(withHole: boolean): Promise<number> {
      const o = await make()
      await o.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })
      if (withHole) await o.endpoints.create({ collection: 'events', url: `${receiver.url}/hole`, timeoutMs: 2_000 })
      await o.notifyMany(Array.from({ length: 3_000 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      let delivered = 0
      const ok = (await o.endpoints.list()).find((e) => e.url.endsWith('/ok'))!.id
      o.on('delivered', ({ delivery }) => void (delivery.endpointId === ok && delivered++))
      o.start()
      await sleep(window)
      const rate = delivered / (window / 1000)
      await o.stop({ timeout: 100 })
      return rate
    }

    const alone = await healthyRate(false)
    t.cleanup()
    t = tempDatabase()
    const beside = await healthyRate(true)
    console.log(`healthy endpoint: ${alone.toFixed(0)}/s alone, ${beside.toFixed(0)}/s beside a black hole (${((beside / alone) * 100).toFixed(1)}%)`)
    expect(alone).toBeGreaterThan(100)
    expect(beside).toBeGreaterThanOrEqual(alone * 0.9)
  }, 30_000)
})
