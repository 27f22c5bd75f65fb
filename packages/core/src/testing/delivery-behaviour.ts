import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { policies, type DeliveryEvent, type Outbox, type Store, type ManualClock, type AttemptEvent } from '../index.js'
import { expandOnce } from './fixtures.js'
import { claimConfigured } from './claim.js'
import { TestReceiver } from './receiver.js'
import { eventually } from './wait.js'
import { testOutbox } from './test-outbox.js'
import type { ConformanceTarget } from './target.js'

const MIN = 60_000

/** End-to-end delivery behaviour on top of a store: real receiver, manual clock. */
export function describeDeliveryBehaviour(target: ConformanceTarget): void {
  describe(`${target.name}: delivery behaviour`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver
    let outbox: Outbox
    let clock: ManualClock
    let attempts: AttemptEvent[]
    let finals: Array<{ kind: string; e: DeliveryEvent }>
    let deadHook: DeliveryEvent[]

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
      deadHook = []
      ;({ outbox, clock } = testOutbox(store, {
        onDeadLetter: (e) => void deadHook.push(e),
        // Retry schedules here are seconds apart; the breaker has its own tests.
        health: { breaker: false },
      }))
      await outbox.migrate()
      attempts = []
      finals = []
      outbox.on('attempt', (a) => attempts.push(a))
      for (const kind of ['delivered', 'failed', 'dead'] as const) outbox.on(kind, (e) => finals.push({ kind, e }))
    })
    afterEach(async () => {
      await outbox.close()
      await receiver.close()
      await cleanup()
    })

    /** Runs passes, jumping the clock to each next attempt, until the delivery is final; returns attempt times. */
    async function runToEnd(maxRounds = 200): Promise<number[]> {
      for (let i = 0; i < maxRounds; i++) {
        await outbox.drain()
        const d = await onlyDelivery()
        if (d.state !== 'pending') return (await outbox.deliveries.get(d.id)).attemptLog.map((a) => a.startedAt)
        clock.set(d.nextAttemptAt!)
      }
      expect.fail('delivery never became final')
    }

    async function onlyDelivery() {
      const [d] = await outbox.deliveries.list()
      expect(d).toBeDefined()
      return d!
    }

    it('delivers a committed event with its payload and a stable webhook-id', async () => {
      await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      const { messageId, requestId } = await outbox.notify({
        type: 'entity.state_changed',
        payload: { entityId: 'e1', from: 'FAIL', to: 'PASS' },
      })
      expect(requestId).toBe(messageId)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(1)
      const [req] = receiver.requests
      expect(JSON.parse(req!.body)).toEqual({ entityId: 'e1', from: 'FAIL', to: 'PASS' })
      expect(req!.headers['webhook-id']).toBe(messageId)
      expect(req!.headers['content-type']).toBe('application/json')
      const d = await onlyDelivery()
      expect(d.state).toBe('delivered')
      expect(finals.map((f) => f.kind)).toEqual(['delivered'])
      const detail = await outbox.deliveries.get(d.id)
      expect(detail.attemptLog).toMatchObject([{ statusCode: 200, outcome: 'ack', responseSnippet: '{"ok":true}' }])
    })

    it('skips events the collection filter does not match, and says so', async () => {
      await outbox.collections.upsert({ name: 'events', events: ['entity.*'] })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      const unrouted: string[] = []
      outbox.on('unrouted', (e) => unrouted.push(e.type))
      await outbox.notify({ type: 'check.completed', payload: {} })
      await outbox.drain()
      expect(receiver.requests).toHaveLength(0)
      expect(await outbox.deliveries.list()).toHaveLength(0)
      expect(unrouted).toEqual(['check.completed'])
    })

    it('fixed: 51 attempts 15 minutes apart, then a dead letter and the hook', async () => {
      receiver.on('*', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      const start = clock.now()
      await outbox.notify({ type: 'entity.changed', payload: {} })
      const times = await runToEnd()
      const d = await onlyDelivery()
      expect(times).toHaveLength(51)
      expect(times[0]).toBe(start)
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(15 * MIN)
      expect(receiver.requests).toHaveLength(51)
      expect((await outbox.deliveries.get(d.id)).state).toBe('dead')
      expect(finals.map((f) => f.kind)).toEqual(['dead'])
      expect(deadHook).toHaveLength(1)
      expect((await outbox.deadLetters.list()).map((x) => x.id)).toEqual([d.id])
    })

    it('exponential: 50 attempts within 24 h, the second immediately, intervals non-decreasing', async () => {
      receiver.on('*', 503)
      await outbox.collections.upsert({ name: 'events', policy: policies.exponential() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      const start = clock.now()
      await outbox.notify({ type: 'entity.changed', payload: {} })
      const times = await runToEnd()
      expect(times).toHaveLength(50)
      expect(times[1]).toBe(times[0])
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!)
      expect(times.at(-1)! - start).toBeLessThanOrEqual(24 * 60 * MIN)
      expect(receiver.requests).toHaveLength(50)
      expect(finals.map((f) => f.kind)).toEqual(['dead'])
    })

    it('fireOnce: one attempt, then failed (not dead)', async () => {
      receiver.on('*', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.fireOnce() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notify({ type: 'async.completed', payload: {} })
      await runToEnd()
      expect(receiver.requests).toHaveLength(1)
      expect(finals.map((f) => f.kind)).toEqual(['failed'])
      expect(await outbox.deadLetters.list()).toEqual([])
    })

    it('400 stops retries at once; 410 also disables the endpoint', async () => {
      receiver.on('/bad', 400).on('/gone', 410)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/bad` })
      const gone = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/gone` })
      const disabled: string[] = []
      outbox.on('endpoint.disabled', (e) => disabled.push(e.endpointId))
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      clock.advance(60 * MIN)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(2)
      expect((await outbox.deliveries.list()).map((d) => d.state)).toEqual(['dead', 'dead'])
      expect(disabled).toEqual([gone.id])
      expect((await outbox.endpoints.get(gone.id)).enabled).toBe(false)
    })

    it('500, 404, 429, connection resets and timeouts are retried', async () => {
      const plan: Array<number | 'reset' | 'hang'> = [500, 404, 429, 'reset', 'hang', 200]
      receiver.on('/flaky', async (_req, res, n) => {
        const step = plan[n - 1]
        if (step === 'reset') {
          res.socket?.destroy()
          return 'handled'
        }
        if (step === 'hang') {
          await new Promise((r) => setTimeout(r, 1500))
          return 200
        }
        return step ?? 200
      })
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule([1000, 1000, 1000, 1000, 1000], { timeoutMs: 300 }) })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/flaky` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await runToEnd()
      expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'error', 'error', 'ack'])
      expect(attempts[3]!.error).toMatch(/^connection|^other/)
      expect(attempts[4]!.error).toMatch(/^timeout/)
      expect(finals.map((f) => f.kind)).toEqual(['delivered'])
    })

    it('honours Retry-After on 429 within the policy bounds', async () => {
      receiver.on('/slow-down', (_req, res, n) => {
        if (n > 1) return 200
        res.writeHead(429, { 'retry-after': '120' }).end()
        return 'handled'
      })
      // Retry-After never stretches a delay past the policy's end: give it room.
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule([1000], { maxAgeMs: 60 * MIN }) })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/slow-down` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      const d = await onlyDelivery()
      expect(d.nextAttemptAt! - clock.now()).toBe(120_000)
    })

    it('majority with 3 endpoints and 1 failing: delivered, the failure recorded and emitted', async () => {
      receiver.on('/down', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed(), failureMode: 'majority' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/a` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/b` })
      const down = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/down` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      clock.advance(60 * MIN)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(3)
      const d = await onlyDelivery()
      expect(d.state).toBe('delivered')
      expect(finals).toHaveLength(1)
      expect(finals[0]!.e.failedEndpoints).toEqual([down.id])
      expect(attempts.filter((a) => a.outcome !== 'ack').map((a) => a.endpointId)).toEqual([down.id])
      expect((await outbox.deliveries.get(d.id)).attemptLog.find((a) => a.endpointId === down.id)).toMatchObject({
        statusCode: 500,
        outcome: 'retry',
      })
    })

    it('majority with 2 of 3 failing: retried to those two only, never again to the one that acknowledged', async () => {
      let healed = false
      const failing = () => (healed ? 200 : 500)
      receiver.on('/x', failing).on('/y', failing)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed(), failureMode: 'majority' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/x` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/y` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      const d = await onlyDelivery()
      expect(d.state).toBe('pending')
      expect(d.nextAttemptAt! - clock.now()).toBe(15 * MIN)
      clock.set(d.nextAttemptAt!)
      await outbox.drain()
      expect(receiver.to('/ok')).toHaveLength(1)
      expect(receiver.to('/x')).toHaveLength(2)
      expect(receiver.to('/y')).toHaveLength(2)
      healed = true
      clock.advance(15 * MIN)
      await outbox.drain()
      expect(receiver.to('/ok')).toHaveLength(1)
      expect(receiver.to('/x')).toHaveLength(3)
      expect((await outbox.deliveries.get(d.id)).state).toBe('delivered')
    })

    it('majority: deleted endpoints no longer count towards the majority', async () => {
      receiver.on('/x', 500).on('/y', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed(), failureMode: 'majority' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })
      const x = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/x` })
      const y = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/y` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      expect((await onlyDelivery()).state).toBe('pending')
      await outbox.endpoints.delete(x.id)
      await outbox.endpoints.delete(y.id)
      clock.advance(15 * MIN)
      await outbox.drain()
      const d = await onlyDelivery()
      expect(d.state).toBe('delivered')
      expect(d.progress).toMatchObject({ [x.id]: 'gone', [y.id]: 'gone' })
    })

    it('majority: a round held back only by disabled endpoints does not use up retries', async () => {
      receiver.on('/x', 500).on('/y', 500)
      // A day before the policy's end: the wait below is well inside it.
      const policy = policies.schedule([1000, 1000], { maxAgeMs: 24 * 60 * MIN })
      await outbox.collections.upsert({ name: 'events', policy, failureMode: 'majority' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })
      const x = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/x` })
      const y = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/y` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      await outbox.endpoints.disable(x.id)
      await outbox.endpoints.disable(y.id)
      for (let i = 0; i < 5; i++) {
        clock.advance(10 * MIN)
        await outbox.drain()
      }
      expect(await onlyDelivery()).toMatchObject({ state: 'pending', attempts: 1 })
      receiver.on('/x', 200).on('/y', 200)
      await outbox.endpoints.enable(x.id)
      await outbox.endpoints.enable(y.id)
      clock.advance(10 * MIN)
      await outbox.drain()
      expect(await onlyDelivery()).toMatchObject({ state: 'delivered', attempts: 2 })
      expect(receiver.to('/ok')).toHaveLength(1)
    })

    it('a replayed majority delivery is not resent to endpoints that acknowledged', async () => {
      receiver.on('/x', 500).on('/y', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule([]), failureMode: 'majority' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/x` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/y` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      const d = await onlyDelivery()
      expect(d.state).toBe('dead')
      receiver.on('/x', 200).on('/y', 200)
      await outbox.deadLetters.replay(d.id)
      await outbox.drain()
      expect((await onlyDelivery()).state).toBe('delivered')
      expect(receiver.to('/ok')).toHaveLength(1)
      expect(receiver.to('/x')).toHaveLength(2)
    })

    it('a custom policy missing in this process dead-letters with a clear error instead of resending forever', async () => {
      receiver.on('*', 500)
      await outbox.collections.upsert({
        name: 'events',
        policy: { ...policies.schedule([1000]), kind: 'custom', name: 'not-registered-here' },
      })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      clock.advance(60 * MIN)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(1)
      const d = await onlyDelivery()
      expect(d.state).toBe('dead')
      expect(d.lastError).toMatch(/not registered/)
      expect((await outbox.deliveries.get(d.id)).attemptLog).toHaveLength(1)
    })

    it('the retry window starts when the dispatcher first takes the message, not at notify', async () => {
      receiver.on('*', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.exponential() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      clock.advance(25 * 60 * MIN) // the dispatcher was down for 25 hours
      await outbox.drain()
      expect(await onlyDelivery()).toMatchObject({ state: 'pending' })
      expect(receiver.requests.length).toBeGreaterThanOrEqual(2)
    })

    it('each: every endpoint on its own schedule', async () => {
      receiver.on('/down', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed(), failureMode: 'each' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/up` })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/down` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      const states = (await outbox.deliveries.list()).map((d) => d.state).sort()
      expect(states).toEqual(['delivered', 'pending'])
    })

    it('a disabled collection gets no new deliveries and its pending ones wait until it is enabled', async () => {
      receiver.on('/hook', (_r, _res, n) => (n === 1 ? 500 : 200))
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
      await outbox.drain()
      expect((await outbox.collections.disable('events')).enabled).toBe(false)
      const unrouted: string[] = []
      outbox.on('unrouted', (e) => unrouted.push(e.messageId))
      const skipped = await outbox.notify({ type: 'entity.changed', payload: { n: 2 } })
      clock.advance(60 * MIN)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(1)
      expect(unrouted).toEqual([skipped.messageId])
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() }) // an upsert keeps it disabled
      await outbox.drain()
      expect(receiver.requests).toHaveLength(1)
      await outbox.collections.enable('events')
      await outbox.drain()
      expect(receiver.requests.map((r) => JSON.parse(r.body).n)).toEqual([1, 1])
      expect((await onlyDelivery()).state).toBe('delivered')
    })

    it('appends the request id to the path when the endpoint asks for it', async () => {
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook/`, appendRequestId: true })
      await outbox.notify({ type: 'entity.changed', payload: {}, requestId: '01EKVV810DC7NJEC97BAQJZXWR' })
      await outbox.drain()
      expect(receiver.requests[0]!.path).toBe('/hook/01EKVV810DC7NJEC97BAQJZXWR')
    })

    it('replays a dead letter and delivers it', async () => {
      let up = false
      receiver.on('/hook', () => (up ? 200 : 500))
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule([1000]) })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
      await runToEnd()
      const d = await onlyDelivery()
      expect((await outbox.deadLetters.get(d.id)).attemptLog).toHaveLength(2)
      up = true
      await outbox.deadLetters.replay(d.id)
      await outbox.drain()
      const after = await outbox.deliveries.get(d.id)
      expect(after.state).toBe('delivered')
      expect(after.attemptLog).toHaveLength(3)
      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(Array(3).fill(d.messageId))
      await expect(outbox.deadLetters.replay(d.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('replays many and purges dead letters', async () => {
      receiver.on('*', 400)
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notifyMany([1, 2, 3].map((n) => ({ type: 'entity.changed', payload: { n } })))
      await outbox.drain()
      expect(await outbox.deadLetters.list()).toHaveLength(3)
      expect(await outbox.deadLetters.replayMany()).toBe(3)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(6)
      expect(await outbox.deadLetters.purge()).toBe(3)
      expect(await outbox.deadLetters.list()).toEqual([])
    })

    it('a dispatcher that dies mid-flight leaves work another one delivers after the lease', async () => {
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notifyMany([1, 2, 3].map((n) => ({ type: 'entity.changed', payload: { n } })))
      // A dispatcher claims the work and dies without writing anything back.
      await expandOnce(store, { limit: 10, now: clock.now() })
      const lost = await claimConfigured(store, { limit: 10, now: clock.now(), leaseMs: 30_000, owner: 'dead-process' })
      expect(lost).toHaveLength(3)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(0)
      clock.advance(30_000)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(3)
      expect((await outbox.deliveries.list()).every((d) => d.state === 'delivered')).toBe(true)
    })

    it("keeps a disabled endpoint's pending deliveries until it is enabled again", async () => {
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      receiver.on('/hook', (_r, _res, n) => (n === 1 ? 500 : 200))
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
      await outbox.endpoints.disable(e.id)
      // Six hours, well inside the fixed policy's end (12.5 h and a bit; see delivery promises).
      clock.advance(6 * 60 * MIN)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(1)
      await outbox.endpoints.enable(e.id)
      await outbox.drain()
      expect(receiver.requests).toHaveLength(2)
      expect((await onlyDelivery()).state).toBe('delivered')
    })

    it('a started dispatcher on a manual clock: advance() wakes it for deferred and retried deliveries', { timeout: 60_000 }, async () => {
      // A 60 s poll: only the clock's advance() can wake the loop in time.
      const started = testOutbox(store, { clock, health: { breaker: false }, dispatcher: { pollIntervalMs: 60_000 } }).outbox
      try {
        await started.collections.upsert({ name: 'manual', events: ['manual.*'], policy: policies.fixed({ intervalMs: MIN }) })
        for (const path of ['/m1', '/m2', '/m3']) await started.endpoints.create({ collection: 'manual', url: `${receiver.url}${path}` })
        // The third endpoint fails each message's first attempt: its retries are due a minute later in manual time.
        const seen = new Set<string>()
        receiver.on('/m3', (r) => {
          const id = String(r.headers['webhook-id'])
          if (seen.has(id)) return 200
          seen.add(id)
          return 500
        })
        let delivered = 0
        started.on('delivered', () => delivered++)
        // One delivery per message and endpoint: 120 in all.
        await started.notifyMany(Array.from({ length: 40 }, (_, i) => ({ type: 'manual.tick', payload: { i } })))
        started.start()
        // The earliest next attempt of what is pending (a leased delivery stays due until written back).
        const nextDue = async () => {
          const pending = await started.deliveries.list({ state: 'pending', limit: 120 })
          return Math.min(...pending.map((d) => d.nextAttemptAt ?? Number.POSITIVE_INFINITY))
        }
        for (let step = 0; delivered < 120; step++) {
          expect(step).toBeLessThan(2_000)
          // Jump to the next attempt due (at least a millisecond on), then wait until the dispatcher
          // has taken everything that is due: only advance() can have woken it.
          const next = await nextDue()
          clock.set(Math.max(clock.now() + 1, Number.isFinite(next) ? next : 0))
          await eventually(async () => delivered === 120 || (await nextDue()) > clock.now(), 10_000, 2)
        }
        expect(receiver.to('/m1')).toHaveLength(40)
        expect(receiver.to('/m2')).toHaveLength(40)
        expect(receiver.to('/m3')).toHaveLength(80)
      } finally {
        await started.close()
      }
    })
  })
}
