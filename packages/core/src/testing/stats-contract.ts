import { describe, expect, it } from 'vitest'
import type { Store } from '../index.js'
import { collection, completion, endpoint, expandOnce, message, requeue, T0 } from './fixtures.js'
import { claimConfigured } from './claim.js'
import { eachMigratedStore } from './set-up.js'
import type { ConformanceTarget } from './target.js'

/** `Store.stats`: what is pending, how old, what is dead, which endpoints are held back. */
export function describeStatsContract(target: ConformanceTarget): void {
  describe(`${target.name}: Store.stats`, () => {
    let store: Store
    eachMigratedStore(target, (s) => (store = s))

    it('is all zeros and null on an empty store', async () => {
      expect(await store.housekeeping.stats({ now: T0 })).toEqual({
        pending: 0,
        due: 0,
        inFlight: 0,
        oldestPendingCreatedAt: null,
        dead: 0,
        failed: 0,
        unexpandedMessages: 0,
        pausedEndpoints: 0,
        disabledEndpoints: 0,
        waitingOnDisabled: 0,
      })
    })

    it('counts pending, due, in-flight and final deliveries, and dates the oldest pending work', async () => {
      await store.catalog.upsertCollection({ collection: collection() })
      await store.catalog.insertEndpoint({ endpoint: endpoint() })
      const messages = [0, 10, 20, 30].map((dt) => message({ createdAt: T0 + dt }))
      await store.queue.enqueue({ messages, idempotencySince: 0 })
      expect(await store.housekeeping.stats({ now: T0 + 40 })).toMatchObject({
        pending: 0,
        unexpandedMessages: 4,
        oldestPendingCreatedAt: T0,
      })

      // One message expanded at T0+50: its delivery is owed since then, the next message since T0+10.
      await expandOnce(store, { limit: 1, now: T0 + 50 })
      expect(await store.housekeeping.stats({ now: T0 + 60 })).toMatchObject({
        pending: 1,
        due: 1,
        unexpandedMessages: 3,
        oldestPendingCreatedAt: T0 + 10,
      })

      await expandOnce(store, { limit: 10, now: T0 + 100 })
      expect(await store.housekeeping.stats({ now: T0 + 99 })).toMatchObject({
        pending: 4,
        due: 1,
        inFlight: 0,
        unexpandedMessages: 0,
        oldestPendingCreatedAt: T0 + 50,
      })

      const claims = await claimConfigured(store, { now: T0 + 100, limit: 10, leaseMs: 30_000, owner: 'test' })
      expect(claims).toHaveLength(4)
      expect(await store.housekeeping.stats({ now: T0 + 100 })).toMatchObject({ pending: 4, due: 4, inFlight: 4 })
      expect(await store.housekeeping.stats({ now: T0 + 100 + 30_000 })).toMatchObject({ inFlight: 0 })

      const [a, b, c, d] = claims
      const done = T0 + 200
      await store.queue.complete({
        completions: [
          completion(a!, { state: 'dead', completedAt: done, updatedAt: done }),
          completion(b!, { state: 'failed', completedAt: done, updatedAt: done }),
          completion(c!, { state: 'delivered', completedAt: done, updatedAt: done }),
          completion(d!, { state: 'pending', nextAttemptAt: T0 + 1_000, completedAt: null, updatedAt: done }),
        ],
      })
      const owed = d!.delivery.windowStart
      expect(await store.housekeeping.stats({ now: T0 + 500 })).toEqual({
        pending: 1,
        due: 0,
        inFlight: 0,
        oldestPendingCreatedAt: owed,
        dead: 1,
        failed: 1,
        unexpandedMessages: 0,
        pausedEndpoints: 0,
        disabledEndpoints: 0,
        waitingOnDisabled: 0,
      })
      expect(await store.housekeeping.stats({ now: T0 + 1_000 })).toMatchObject({ pending: 1, due: 1 })

      // A replay starts a new schedule: the delivery is owed from the replay on.
      await requeue(store, [a!.delivery.id], T0 + 5_000, ['dead'])
      expect(await store.housekeeping.stats({ now: T0 + 5_000 })).toMatchObject({ pending: 2, dead: 0, oldestPendingCreatedAt: owed })
    })

    it('counts disabled endpoints, and enabled ones paused by the circuit breaker until the pause ends', async () => {
      await store.catalog.upsertCollection({ collection: collection() })
      const [on, paused, off] = [endpoint(), endpoint(), endpoint({ enabled: false, disabledReason: 'gone' })]
      for (const e of [on, paused, off]) await store.catalog.insertEndpoint({ endpoint: e! })
      await store.catalog.setEndpointHealth({ id: paused!.id, pausedUntil: T0 + 1_000, failingSince: T0, now: T0 })
      // A disabled endpoint that is also paused counts as disabled only.
      await store.catalog.setEndpointHealth({ id: off!.id, pausedUntil: T0 + 1_000, now: T0 })
      expect(await store.housekeeping.stats({ now: T0 + 999 })).toMatchObject({ pausedEndpoints: 1, disabledEndpoints: 1 })
      expect(await store.housekeeping.stats({ now: T0 + 1_000 })).toMatchObject({ pausedEndpoints: 0, disabledEndpoints: 1 })
    })
  })
}
