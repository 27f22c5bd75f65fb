import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutbox, policies, type Outbox, type OutboxOptions } from '@hookbox/core'
import { TestReceiver, localReceivers } from '@hookbox/core/testing'
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
    const second = tempDatabase()

    /** An outbox with a backlog for the healthy endpoint, and the black hole beside it or not; counts healthy deliveries. */
    async function setUp(database: typeof t.db, withHole: boolean) {
      const o = createOutbox({ ...localReceivers, store: sqliteStore({ database }) })
      outboxes.push(o)
      await o.migrate()
      await o.collections.upsert({ name: 'events', policy: policies.fixed() })
      const ok = await o.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })
      if (withHole) await o.endpoints.create({ collection: 'events', url: `${receiver.url}/hole`, timeoutMs: 2_000 })
      await o.notifyMany(Array.from({ length: 3_000 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      const counter = { delivered: 0 }
      o.on('delivered', ({ delivery }) => void (delivery.endpointId === ok.id && counter.delivered++))
      return { o, counter }
    }

    try {
      // Side by side over the same seconds, so load on the machine weighs on both alike.
      const alone = await setUp(t.db, false)
      const beside = await setUp(second.db, true)
      alone.o.start()
      beside.o.start()
      await sleep(window)
      const [a, b] = [alone.counter.delivered, beside.counter.delivered].map((n) => n / (window / 1000))
      await Promise.all([alone.o.stop({ timeout: 100 }), beside.o.stop({ timeout: 100 })])
      console.log(`healthy endpoint: ${a!.toFixed(0)}/s alone, ${b!.toFixed(0)}/s beside a black hole (${((b! / a!) * 100).toFixed(1)}%)`)
      // Enough healthy deliveries for the ratio to mean something; no absolute rate, which would only measure machine load.
      expect(alone.counter.delivered).toBeGreaterThanOrEqual(60)
      expect(b).toBeGreaterThanOrEqual(a! * 0.9)
    } finally {
      for (const o of outboxes.splice(0)) await o.close({ timeout: 100 })
      second.cleanup()
    }
  }, 30_000)
})
