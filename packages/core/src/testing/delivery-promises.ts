import { AssertionError } from 'node:assert'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  deadlineOf,
  deliveryDeadline,
  InvalidPolicyError,
  policies,
  policyEndMs,
  type DeliveryEvent,
  type DeliveryRecord,
  type FailureMode,
  type ManualClock,
  type Outbox,
  type RetryPolicy,
  type Store,
} from '../index.js'
import { collection, endpoint, expandOnce, message, T0 } from './fixtures.js'
import { claimConfigured } from './claim.js'
import { TestReceiver } from './receiver.js'
import { testOutbox } from './test-outbox.js'
import type { ConformanceTarget } from './target.js'

const HOUR = 60 * 60_000
const DAY = 24 * HOUR
/** The default `health.disableAfterMs`. */
const DISABLE_AFTER = 5 * DAY

const FAILING = [1, 2, 3]
const MODES: FailureMode[] = ['majority', 'each']

/** A burst: `size` messages to a collection of 3 endpoints of which `failing` answer 500. */
type Burst = [size: number, failing: number, mode: FailureMode]
const every = (size: number): Burst[] => FAILING.flatMap((failing) => MODES.map((mode): Burst => [size, failing, mode]))
/**
 * Bursts of 5 and 20 in every combination; the burst of 100 (each retry round of it is hundreds
 * of real HTTP requests) against FrankieOne v1's case, 2 of 3 down in a majority collection,
 * and against the usual webhook case, one failing endpoint in `each` mode.
 */
const BURSTS: Burst[] = [...every(5), ...every(20), [100, 2, 'majority'], [100, 1, 'each']]
/** The auto-disable variant: bursts of 5 and 20 in every combination. */
const DISABLE_BURSTS: Burst[] = [...every(5), ...every(20)]
/** Tens of thousands of real HTTP requests, each written back to the store. */
const BURST_TIMEOUT_MS = 240_000

/** One collection of a burst scenario: 3 endpoints, the first `failing` of them answering 500. */
interface Group {
  name: string
  size: number
  failing: number
  mode: FailureMode
  failingIds: Set<string>
  /** The failing endpoint that auto-disables mid-way, if any. */
  disabledId: string | null
}

/**
 * The promises a policy makes, kept whatever the engine's health features do: bursts against
 * failing receivers with default options follow the seed schedules and end by the policy's end,
 * dead letters are announced exactly once, and nothing held back by a disabled target waits
 * forever. Manual clock; `drain()` at every time something is due.
 */
export function describeDeliveryPromises(target: ConformanceTarget): void {
  describe(`${target.name}: delivery promises`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver
    let outbox: Outbox
    let clock: ManualClock
    /** Attempt times by delivery and endpoint. */
    let attempts: Map<string, number[]>
    let finals: Array<{ kind: string; id: string }>
    let told: DeliveryEvent[]
    let disabledEvents: string[]

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
      // Default options: the health features as shipped. A bigger batch only makes the test faster.
      ;({ outbox, clock } = testOutbox(store, {
        onDeadLetter: (e) => void told.push(e),
        dispatcher: { concurrency: 256, batchSize: 256 },
      }))
      await outbox.migrate()
      attempts = new Map()
      finals = []
      told = []
      disabledEvents = []
      outbox.on('attempt', (a) => {
        const key = `${a.deliveryId}/${a.endpointId}`
        attempts.set(key, [...(attempts.get(key) ?? []), clock.now()])
      })
      for (const kind of ['delivered', 'failed', 'dead'] as const) outbox.on(kind, (e) => finals.push({ kind, id: e.delivery.id }))
      outbox.on('endpoint.disabled', (e) => disabledEvents.push(e.endpointId))
    })
    afterEach(async () => {
      await outbox.close()
      await receiver.close()
      await cleanup()
    })

    async function allDeliveries(state?: DeliveryRecord['state']): Promise<DeliveryRecord[]> {
      const out: DeliveryRecord[] = []
      for (;;) {
        const page = await outbox.deliveries.list({ state, limit: 1000, after: out.at(-1)?.id })
        out.push(...page)
        if (page.length < 1000) return out
      }
    }

    /** A collection per burst, then the bursts; `autoDisableAt`: when one failing endpoint of each switches off. */
    async function setUp(policy: RetryPolicy, bursts: Burst[], autoDisableAt: number | null): Promise<Group[]> {
      const groups: Group[] = []
      for (const [size, failing, mode] of bursts) {
        const name = `${mode}-${failing}of3-n${size}`
        await outbox.collections.upsert({ name, events: [`burst.n${size}`], policy, failureMode: mode })
        const group: Group = { name, size, failing, mode, failingIds: new Set(), disabledId: null }
        for (let i = 0; i < 3; i++) {
          const path = `/${name}/e${i}`
          receiver.on(path, i < failing ? 500 : 200)
          const e = await outbox.endpoints.create({ collection: name, url: `${receiver.url}${path}` })
          if (i >= failing) continue
          group.failingIds.add(e.id)
          if (i === 0 && autoDisableAt !== null) {
            // Failing since before the burst: the default auto-disable switches it off mid-way.
            await store.catalog.setEndpointHealth({ id: e.id, failingSince: autoDisableAt - DISABLE_AFTER, now: clock.now() })
            group.disabledId = e.id
          }
        }
        groups.push(group)
      }
      for (const size of new Set(bursts.map(([size]) => size)))
        await outbox.notifyMany(Array.from({ length: size }, (_, n) => ({ type: `burst.n${size}`, payload: { n } })))
      return groups
    }

    /**
     * Drains at every time something is due (a retry, the end of a pause, a policy's end) until
     * nothing is pending.
     */
    async function runToEnd(policy: RetryPolicy): Promise<{ rounds: number; waitingOnDisabled: number }> {
      let waitingOnDisabled = 0
      for (let rounds = 1; rounds < 500; rounds++) {
        await outbox.drain()
        const pending = await allDeliveries('pending')
        if (pending.length === 0) return { rounds, waitingOnDisabled }
        waitingOnDisabled = Math.max(waitingOnDisabled, (await outbox.stats()).waitingOnDisabled)
        const now = clock.now()
        const pauses = (await outbox.endpoints.list()).map((e) => e.pausedUntil ?? Infinity)
        const times = pending.flatMap((d) => [d.nextAttemptAt ?? Infinity, deadlineOf(d, policy)]).concat(pauses)
        const next = Math.min(...times.filter((t) => t > now))
        if (!Number.isFinite(next)) throw new AssertionError({ message: `${pending.length} deliveries pending with nothing due` })
        clock.set(next)
      }
      throw new AssertionError({ message: 'deliveries never became final' })
    }

    /** When each attempt of a delivery that fails every time is due under `policy`. */
    function schedule(policy: RetryPolicy, start: number): number[] {
      const times = [start]
      for (let k = 1; k < policy.maxAttempts; k++) times.push(times[k - 1]! + policy.delaysMs[k - 1]!)
      return times
    }

    async function checkBursts(policy: RetryPolicy, groups: Group[], autoDisableAt: number | null) {
      const byName = new Map(groups.map((g) => [g.name, g]))
      const all = await allDeliveries()
      // Per message and failing count: one majority delivery, three each ones.
      const expected = groups.reduce((n, g) => n + g.size * (g.mode === 'majority' ? 1 : 3), 0)
      expect(all).toHaveLength(expected)
      for (const d of all) {
        const g = byName.get(d.collection)!
        const failingTargets = d.targets.filter((t) => g.failingIds.has(t))
        const roundFails = g.mode === 'majority' ? failingTargets.length * 2 > 3 : failingTargets.length > 0
        // Final, and by the policy's end, which core stored with the delivery when it was planned.
        expect([d.id, d.state]).toEqual([d.id, roundFails ? policy.onExhausted : 'delivered'])
        expect(d.deadline).toBe(deliveryDeadline(policy, d.windowStart))
        expect(d.completedAt!).toBeLessThanOrEqual(d.deadline!)
        const full = schedule(policy, d.windowStart)
        for (const t of d.targets) {
          const times = attempts.get(`${d.id}/${t}`) ?? []
          if (!g.failingIds.has(t) || !roundFails) expect(times).toEqual([d.windowStart])
          else if (t === g.disabledId) {
            // Attempted on schedule until switched off; nothing after.
            const before = full.filter((x) => x < autoDisableAt!).length
            expect(times).toEqual(full.slice(0, times.length))
            expect(times.length).toBeGreaterThanOrEqual(before)
            expect(times.length).toBeLessThanOrEqual(before + 1)
          } else expect(times).toEqual(full)
        }
      }
      // Support is told once per dead letter, and every final state is announced once.
      const dead = all.filter((d) => d.state === 'dead').map((d) => d.id)
      expect(told.map((e) => e.delivery.id).sort()).toEqual(dead.sort())
      expect(finals.map((f) => f.id).sort()).toEqual(all.map((d) => d.id).sort())
    }

    const seeds: Array<[string, RetryPolicy, number]> = [
      ['fixed (FrankieOne v1)', policies.fixed(), 6 * HOUR],
      ['exponential (FrankieOne v2)', policies.exponential(), 2 * HOUR],
      ['fireOnce (Attestr)', policies.fireOnce(), 0],
    ]
    for (const [name, policy, midway] of seeds) {
      it(
        `${name}: bursts of 5, 20 and 100 against failing endpoints keep the schedule and end on time`,
        async () => {
          const groups = await setUp(policy, BURSTS, null)
          await runToEnd(policy)
          await checkBursts(policy, groups, null)
          expect(disabledEvents).toEqual([])
        },
        BURST_TIMEOUT_MS,
      )

      if (midway === 0) continue // one attempt: there is no mid-way
      it(
        `${name}: bursts of 5 and 20 with a failing endpoint of each collection auto-disabled mid-way`,
        async () => {
          const disableAt = clock.now() + midway
          const groups = await setUp(policy, DISABLE_BURSTS, disableAt)
          const { waitingOnDisabled } = await runToEnd(policy)
          await checkBursts(policy, groups, disableAt)
          const switchedOff = groups.flatMap((g) => (g.disabledId && (g.mode === 'each' || g.failing > 1) ? [g.disabledId] : []))
          expect(disabledEvents.sort()).toEqual(switchedOff.sort())
          // While they waited, stats counted the deliveries owed only to a disabled endpoint.
          const owed = groups.filter((g) => g.mode === 'each' && g.disabledId).reduce((n, g) => n + g.size, 0)
          expect(waitingOnDisabled).toBe(owed)
          expect((await outbox.stats()).waitingOnDisabled).toBe(0)
        },
        BURST_TIMEOUT_MS,
      )
    }

    it('a policy that opts in waits out the breaker, uses up no retry for it, and still ends by its end', async () => {
      receiver.on('*', 503)
      const policy = policies.fixed({ intervalMs: 60_000, retries: 10, whilePaused: 'wait' })
      await outbox.collections.upsert({ name: 'events', policy })
      const ep = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/down` })
      const paused: number[] = []
      outbox.on('endpoint.paused', (e) => paused.push(e.until))
      await outbox.notifyMany(Array.from({ length: 20 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      await runToEnd(policy)
      const all = await allDeliveries()
      expect(paused.length).toBeGreaterThan(0)
      expect(all.every((d) => d.state === 'dead' && d.completedAt! <= deliveryDeadline(policy, d.windowStart))).toBe(true)
      // Fewer attempts than the schedule's 11 (that is what waiting means), at least the first and the last.
      const counts = all.map((d) => attempts.get(`${d.id}/${ep.id}`)!.length)
      expect(Math.max(...counts)).toBeLessThan(11)
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(2)
      expect(told.map((e) => e.delivery.id).sort()).toEqual(all.map((d) => d.id).sort())
    })

    it('fireOnce never waits for a breaker: the option is refused', () => {
      expect(() => policies.fireOnce({ whilePaused: 'wait' })).toThrow(InvalidPolicyError)
      expect(() => policies.fixed({ whilePaused: 'later' as never })).toThrow(InvalidPolicyError)
    })

    it("deliveries owed only to a disabled endpoint or collection wait, are counted, and end at the policy's end", async () => {
      receiver.on('*', 200)
      const policy = policies.exponential()
      await outbox.collections.upsert({ name: 'a', policy })
      await outbox.collections.upsert({ name: 'b', policy, failureMode: 'majority' })
      const ea = await outbox.endpoints.create({ collection: 'a', url: `${receiver.url}/a` })
      await outbox.endpoints.create({ collection: 'b', url: `${receiver.url}/b` })
      await outbox.notifyMany(Array.from({ length: 3 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      await expandOnce(store, { limit: 10, now: clock.now() })
      await outbox.endpoints.disable(ea.id)
      await outbox.collections.disable('b')
      await outbox.drain()
      expect(receiver.requests).toHaveLength(0)
      expect(await outbox.stats()).toMatchObject({ pending: 6, waitingOnDisabled: 6 })

      const end = clock.now() + policyEndMs(policy)!
      clock.set(end - 1)
      await outbox.drain()
      expect(await outbox.stats()).toMatchObject({ pending: 6, waitingOnDisabled: 6 })
      clock.set(end)
      await outbox.drain()
      const all = await allDeliveries()
      expect(all.map((d) => [d.state, d.attempts, d.completedAt])).toEqual(Array(6).fill(['dead', 0, end]))
      expect(all.map((d) => d.lastError).sort()).toEqual([
        ...Array(3).fill("collection is disabled; the policy's end was reached"),
        ...Array(3).fill("endpoint is disabled; the policy's end was reached"),
      ])
      expect(receiver.requests).toHaveLength(0)
      expect(told).toHaveLength(6)
      expect(await outbox.stats()).toMatchObject({ pending: 0, dead: 6, waitingOnDisabled: 0 })
      // Nothing fires twice afterwards.
      clock.advance(DAY)
      await outbox.drain()
      expect([told.length, finals.length]).toEqual([6, 6])
    })

    it('QueueStore.claim takes a delivery held back by its collection or endpoint once its policy has ended', async () => {
      const policy = policies.schedule([1_000])
      const end = policyEndMs(policy)!
      await store.catalog.upsertCollection({ collection: collection({ policy }) })
      await store.catalog.upsertCollection({ collection: collection({ name: 'off', policy }) })
      const [off, paused, other] = [endpoint(), endpoint(), endpoint({ collection: 'off' })]
      for (const e of [off, paused, other]) await store.catalog.insertEndpoint({ endpoint: e })
      await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      await store.catalog.updateEndpoint({ endpoint: { ...off, enabled: false, disabledReason: 'off' } })
      await store.catalog.setEndpointHealth({ id: paused.id, pausedUntil: T0 + 10 * end, now: T0 })
      await store.catalog.upsertCollection({ collection: collection({ name: 'off', policy, enabled: false }) })
      const claim = (now: number) => claimConfigured(store, { limit: 10, now, leaseMs: 1, owner: 'test' })
      expect(await claim(T0)).toEqual([])
      expect(await claim(T0 + end - 1)).toEqual([])
      const taken = (await claim(T0 + end)).map((c) => c.delivery.endpointId)
      expect([off.id, paused.id, other.id].map((id) => taken.filter((t) => t === id).length)).toEqual([2, 2, 2])
    })
  })
}
