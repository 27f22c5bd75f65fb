import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { policies, type AttemptEvent, type ManualClock, type Outbox, type OutboxEvents, type Store } from '../index.js'
import { TestReceiver } from './receiver.js'
import { eventually } from './wait.js'
import { testOutbox } from './test-outbox.js'
import type { ConformanceTarget } from './target.js'

const DAY = 24 * 60 * 60 * 1000

/** Circuit breaker, auto-disable and rate limits, on top of a store, through a manual clock. */
export function describeEndpointHealth(target: ConformanceTarget): void {
  describe(`${target.name}: endpoint health`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver
    let outbox: Outbox
    let clock: ManualClock
    let attempts: Array<AttemptEvent & { at: number }>
    let ops: Array<{ event: string; endpointId: string; until?: number }>

    function open(extra: Parameters<typeof testOutbox>[1] = {}) {
      ;({ outbox, clock } = testOutbox(store, extra))
      attempts = []
      ops = []
      outbox.on('attempt', (a) => attempts.push({ ...a, at: clock.now() }))
      for (const event of ['endpoint.paused', 'endpoint.recovered', 'endpoint.disabled'] as const)
        outbox.on(event, ((e: OutboxEvents[typeof event][0]) => ops.push({ event, ...e })) as never)
    }

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
      open()
      await outbox.migrate()
    })
    afterEach(async () => {
      await outbox.close()
      await receiver.close()
      await cleanup()
    })

    it('the breaker opens after a run of failures, probes once per pause, and closes on success', async () => {
      let up = false
      receiver.on('/hook', () => (up ? 200 : 503))
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule(Array(20).fill(1_000), { whilePaused: 'wait' }) })
      const ep = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notifyMany(Array.from({ length: 8 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))

      await outbox.drain()
      expect(attempts).toHaveLength(8)
      expect(ops).toEqual([expect.objectContaining({ event: 'endpoint.paused', endpointId: ep.id, until: clock.now() + 30_000 })])
      expect((await outbox.endpoints.get(ep.id)).pausedUntil).toBe(clock.now() + 30_000)

      // Paused: the retries due in 1 s wait, without using up attempts.
      for (let i = 0; i < 29; i++) {
        clock.advance(1_000)
        await outbox.drain()
      }
      expect(attempts).toHaveLength(8)

      // The pause is over: one probe, which fails, so the next pause is twice as long.
      clock.advance(1_000)
      await outbox.drain()
      expect(attempts).toHaveLength(9)
      expect(ops.at(-1)).toMatchObject({ event: 'endpoint.paused', until: clock.now() + 60_000 })

      up = true
      clock.advance(60_000)
      await outbox.drain()
      expect(attempts).toHaveLength(10)
      expect(ops.at(-1)).toMatchObject({ event: 'endpoint.recovered', endpointId: ep.id })
      expect((await outbox.endpoints.get(ep.id)).pausedUntil).toBeNull()

      // The others were held back while the probe was out; they all go once it succeeded.
      for (let i = 0; i < 5 && (await outbox.deliveries.list({ state: 'pending' })).length > 0; i++) {
        clock.advance(30_000)
        await outbox.drain()
      }
      const deliveries = await outbox.deliveries.list()
      expect(deliveries.map((d) => d.state)).toEqual(Array(8).fill('delivered'))
      // One failed round each before the pause, plus the probe's; the pause itself cost none.
      expect(deliveries.reduce((n, d) => n + d.attempts, 0)).toBe(8 + 2 + 7)
    })

    it('leaseProbe: of dispatchers asking together for an endpoint whose pause is over, exactly one wins', async () => {
      await outbox.collections.upsert({ name: 'events' })
      const ep = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      const now = clock.now()
      // Not paused: nothing to probe.
      expect(await store.catalog.leaseProbe({ id: ep.id, now, until: now + 10_000 })).toBe(false)
      await store.catalog.setEndpointHealth({ id: ep.id, pausedUntil: now + 1_000, now })
      // Still paused: no probe yet.
      expect(await store.catalog.leaseProbe({ id: ep.id, now, until: now + 10_000 })).toBe(false)
      const later = now + 1_000
      const wins = await Promise.all(
        Array.from({ length: 3 }, (_, i) => store.catalog.leaseProbe({ id: ep.id, now: later, until: later + 10_000 + i })),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
      // The winner's lease holds the pause for everyone else.
      expect((await outbox.endpoints.get(ep.id)).pausedUntil).toBe(later + 10_000 + wins.indexOf(true))
      expect(await store.catalog.leaseProbe({ id: 'no-such-endpoint', now: later, until: later + 1 })).toBe(false)
    })

    it('three dispatchers send one probe to a paused endpoint between them', async () => {
      receiver.on('/hook', 503)
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule(Array(20).fill(1_000), { whilePaused: 'wait' }) })
      const ep = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notifyMany(Array.from({ length: 8 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      await outbox.drain()
      expect(receiver.requests).toHaveLength(8)
      const { pausedUntil } = await outbox.endpoints.get(ep.id)
      expect(pausedUntil).toBe(clock.now() + 30_000)
      // One delivery per claim, so each dispatcher holds due work while the others probe.
      const others = [1, 2, 3].map(() => testOutbox(store, { clock, dispatcher: { batchSize: 1 } }).outbox)
      try {
        clock.set(pausedUntil!)
        await Promise.all(others.map((o) => o.drain()))
        expect(receiver.requests).toHaveLength(9)
        // The probe failed: the next pause is twice as long, and again one probe follows it.
        const next = (await outbox.endpoints.get(ep.id)).pausedUntil!
        expect(next).toBeGreaterThan(clock.now())
        clock.set(next)
        await Promise.all(others.map((o) => o.drain()))
        expect(receiver.requests).toHaveLength(10)
      } finally {
        await Promise.all(others.map((o) => o.close()))
      }
    })

    it('the breaker follows the failure rate: closed at 1 failure in 3, open at 2 in 3 even with successes between', async () => {
      receiver.on('/mostly-up', (_req, _res, n) => (n % 3 === 0 ? 503 : 200))
      receiver.on('/mostly-down', (_req, _res, n) => (n % 3 === 0 ? 200 : 503))
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed({ whilePaused: 'wait' }) })
      const up = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/mostly-up` })
      const down = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/mostly-down` })
      // One at a time, so the outcomes arrive in the receiver's order.
      for (let n = 0; n < 30; n++) {
        await outbox.notify({ type: 'entity.changed', payload: { n } })
        await outbox.drain()
      }
      expect(attempts.filter((a) => a.endpointId === up.id && a.outcome === 'retry')).toHaveLength(10)
      expect(ops.map((o) => [o.event, o.endpointId])).toEqual([['endpoint.paused', down.id]])
    })

    it('an endpoint failing for 5 days is disabled; nothing is lost, and enabling it delivers and replays', async () => {
      open({ health: { breaker: false } })
      let up = false
      receiver.on('/hook', () => (up ? 200 : 500))
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule(Array(10).fill(DAY)) })
      await outbox.collections.upsert({ name: 'short', policy: policies.schedule([DAY]) })
      const ep = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.endpoints.create({ collection: 'short', url: `${receiver.url}/hook` })
      await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })

      await outbox.drain()
      const since = clock.now()
      expect((await outbox.endpoints.get(ep.id)).failingSince).toBe(since)
      for (let day = 1; day <= 4; day++) {
        clock.advance(DAY)
        await outbox.drain()
      }
      expect((await outbox.endpoints.get(ep.id)).enabled).toBe(true)
      clock.advance(DAY)
      await outbox.drain()
      const disabled = await outbox.endpoints.get(ep.id)
      expect(disabled.enabled).toBe(false)
      expect(disabled.disabledReason).toContain(new Date(since).toISOString())
      expect(ops).toEqual([{ event: 'endpoint.disabled', endpointId: ep.id, reason: disabled.disabledReason }])

      // Kept while disabled: still pending, no attempts made, none used up.
      const made = attempts.length
      clock.advance(DAY)
      await outbox.drain()
      expect(attempts).toHaveLength(made)
      const events = await outbox.deliveries.list({ collection: 'events' })
      expect(events.map((d) => [d.state, d.attempts])).toEqual([['pending', 6]])
      const dead = await outbox.deadLetters.list()
      expect(dead).toHaveLength(1)

      up = true
      await outbox.endpoints.enable(ep.id)
      const enabled = await outbox.endpoints.get(ep.id)
      expect([enabled.failingSince, enabled.pausedUntil]).toEqual([null, null])
      clock.advance(60_000)
      await outbox.drain()
      await outbox.deadLetters.replay(dead[0]!.id)
      await outbox.drain()
      expect((await outbox.deliveries.list()).map((d) => d.state)).toEqual(['delivered', 'delivered'])
    })

    it('holds a rate limit within 10% over 10 s, without using up retries', async () => {
      receiver.on('/hook', 200)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      const ep = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook`, ratePerSecond: 20 })
      await outbox.notifyMany(Array.from({ length: 400 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      const start = clock.now()
      while (clock.now() - start < 10_000) {
        await outbox.drain()
        clock.advance(25)
      }
      const sent = attempts.filter((a) => a.endpointId === ep.id && a.at < start + 10_000)
      expect(sent.length).toBeGreaterThanOrEqual(180)
      expect(sent.length).toBeLessThanOrEqual(220)
      for (let s = 0; s < 10; s++) {
        const inSecond = sent.filter((a) => a.at >= start + s * 1000 && a.at < start + (s + 1) * 1000).length
        expect(inSecond).toBeLessThanOrEqual(22)
      }
      const delivered = await outbox.deliveries.list({ state: 'delivered', limit: 500 })
      expect(delivered.every((d) => d.attempts === 1)).toBe(true)
    })

    /**
     * A started dispatcher (32 slots, windows of 2 at start, 60 s poll) with a `majority`
     * collection `events` (entity.*) of endpoints /a, /b and /c, whose requests are held until
     * `release()`: their windows stay full while the clock stands still.
     */
    async function heldMajority() {
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      for (const path of ['/a', '/b', '/c'])
        receiver.on(path, async () => {
          await held
          return 200
        })
      const started = testOutbox(store, {
        clock,
        health: { breaker: false, initialWindow: 2 },
        dispatcher: { concurrency: 32, pollIntervalMs: 60_000 },
      }).outbox
      await started.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed(), failureMode: 'majority' })
      for (const path of ['/a', '/b', '/c']) await started.endpoints.create({ collection: 'events', url: `${receiver.url}${path}` })
      return { started, release }
    }

    it('majority at start: what the widening windows hold back is due again within one latency, and the claim waits for room', async () => {
      const { started, release } = await heldMajority()
      try {
        let delivered = 0
        started.on('delivered', () => delivered++)
        await started.notifyMany(Array.from({ length: 40 }, (_, i) => ({ type: 'entity.changed', payload: { i } })))
        const t0 = clock.now()
        started.start()
        // 2 sent to each endpoint; 30 more claimed (the free slots) and put back, no attempt made.
        await receiver.waitFor(6)
        const deferred = () => started.deliveries.list({ state: 'pending', limit: 100 }).then((p) => p.filter((d) => d.nextAttemptAt! > t0))
        const back = await eventually(async () => {
          const d = await deferred()
          return d.length >= 30 ? d : null
        }).then((d) => d!)
        // Spread a slot apart (5 ms at the first latency estimate of 10 ms) they would reach 150 ms ahead.
        for (const d of back) expect(d.nextAttemptAt! - t0).toBeLessThanOrEqual(20)
        expect(back.every((d) => d.attempts === 0)).toBe(true)
        // No window has room and nothing is due yet: the other 8 stay in the queue, unclaimed,
        // unless a wake comes after the first claim (on Postgres, the look the LISTEN connection
        // takes once it listens, late on a loaded machine): a wake makes the loop look at once
        // (it may be work for another endpoint), and it puts those 8 back as well.
        expect([30, 38]).toContain((await deferred()).length)
        release()
        // Then on: jump to each next attempt due, once the dispatcher has taken all that is due.
        const nextDue = async () => {
          const pending = await started.deliveries.list({ state: 'pending', limit: 100 })
          return Math.min(...pending.map((d) => d.nextAttemptAt ?? Number.POSITIVE_INFINITY))
        }
        for (let step = 0; delivered < 40; step++) {
          expect(step).toBeLessThan(2_000)
          await eventually(async () => delivered === 40 || (await nextDue()) > clock.now(), 10_000, 2)
          const next = await nextDue()
          if (Number.isFinite(next)) clock.set(Math.max(clock.now() + 1, next))
        }
        for (const path of ['/a', '/b', '/c']) expect(receiver.to(path)).toHaveLength(40)
        const all = await started.deliveries.list({ limit: 100 })
        expect(all.every((d) => d.state === 'delivered' && d.attempts === 1)).toBe(true)
      } finally {
        await started.close()
      }
    })

    it('majority deliveries waiting for widening windows do not hold up deliveries to another endpoint', async () => {
      const { started, release } = await heldMajority()
      try {
        await started.collections.upsert({ name: 'other', events: ['other.*'], policy: policies.fixed() })
        await started.endpoints.create({ collection: 'other', url: `${receiver.url}/x` })
        // The majority deliveries come first in the queue; the clock stands still throughout. /x
        // takes 2 when expanded (its window) and the other 2 from a claim once those have answered
        // (its window is 4 by then), while a claim's worth of majority deliveries waits to be due.
        await started.notifyMany(Array.from({ length: 40 }, (_, i) => ({ type: 'entity.changed', payload: { i } })))
        await started.notifyMany(Array.from({ length: 4 }, (_, i) => ({ type: 'other.changed', payload: { i } })))
        started.start()
        await receiver.waitFor(4, '/x')
        expect(receiver.to('/a')).toHaveLength(2)
        release()
      } finally {
        await started.close()
      }
    })

    it('majority: a paused endpoint is skipped like a disabled one and costs the round no retry', async () => {
      receiver.on('/a', 200).on('/b', 200).on('/c', 200)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed({ whilePaused: 'wait' }), failureMode: 'majority' })
      const a = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/a` })
      const b = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/b` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/c` })
      await store.catalog.setEndpointHealth({ id: a.id, pausedUntil: clock.now() + 45_000, now: clock.now() })
      await store.catalog.setEndpointHealth({ id: b.id, pausedUntil: clock.now() + 45_000, now: clock.now() })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      const [d] = await outbox.deliveries.list()
      expect(attempts.map((x) => new URL(x.url).pathname)).toEqual(['/c'])
      expect([d!.state, d!.attempts, d!.nextAttemptAt]).toEqual(['pending', 0, clock.now() + 45_000])
      clock.advance(45_000)
      await outbox.drain()
      expect((await outbox.deliveries.list())[0]!.state).toBe('delivered')
    })
  })
}
