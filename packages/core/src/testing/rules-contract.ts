import { describe, expect, it } from 'vitest'
import { createOutbox, MigrationRequiredError, newId, type Store } from '../index.js'
import { collection, completion, endpoint, expandOnce, message, T0 } from './fixtures.js'
import { claimConfigured } from './claim.js'
import { eachMigratedStore } from './set-up.js'
import type { ConformanceTarget } from './target.js'

const claimOpts = (now = T0, limit = 10) => ({ now, limit, leaseMs: 30_000, owner: 'test' })

/** The rules every store must keep in the same way: ordering, transitions, idempotency, claim clauses. */
export function describeRulesContract(target: ConformanceTarget): void {
  describe(`${target.name}: shared rules`, () => {
    let store: Store
    eachMigratedStore(target, (s) => (store = s))

    async function setup(n: number) {
      await store.catalog.upsertCollection({ collection: collection() })
      const eps = Array.from({ length: n }, () => endpoint())
      for (const e of eps) await store.catalog.insertEndpoint({ endpoint: e })
      return eps
    }

    it('claims by next attempt, then message sequence, then delivery id', async () => {
      await setup(2)
      // Written first but with the later id: the sequence, not the id, decides between messages.
      const late = message({ id: newId(T0 + 5), createdAt: T0 + 5 })
      const early = message({ id: newId(T0), createdAt: T0 })
      await store.queue.enqueue({ messages: [late, early], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 + 10 })
      const claims = await claimConfigured(store, claimOpts(T0 + 10))
      const ids = (m: string) =>
        claims
          .filter((c) => c.message.id === m)
          .map((c) => c.delivery.id)
          .sort()
      expect(claims.map((c) => c.delivery.id)).toEqual([...ids(late.id), ...ids(early.id)])
      // An earlier next attempt wins over the sequence.
      await store.queue.complete({
        completions: claims.map((c) =>
          completion(c, { state: 'pending', nextAttemptAt: c.message.id === early.id ? T0 + 20 : T0 + 21, completedAt: null }),
        ),
      })
      const again = await claimConfigured(store, claimOpts(T0 + 60_000, 2))
      expect(again.map((c) => c.delivery.id)).toEqual(ids(early.id))
    })

    it('transition writes what apply returns, only from the given states, and fences the lease holder', async () => {
      await setup(1)
      await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const [held, done] = await claimConfigured(store, claimOpts())
      await store.queue.complete({ completions: [completion(done!, { attempts: 3 })] })
      const seen: string[] = []
      const changed = await store.queue.transition({
        ids: [held!.delivery.id, done!.delivery.id],
        from: ['pending'],
        now: T0 + 9,
        apply: (d) => {
          seen.push(d.id)
          return {
            ...d,
            state: 'dead',
            attempts: 7,
            progress: { a: 'acked' },
            lastError: 'x',
            nextAttemptAt: null,
            completedAt: T0 + 9,
            updatedAt: T0 + 9,
          }
        },
      })
      expect(changed).toEqual([held!.delivery.id])
      expect(seen).toEqual([held!.delivery.id])
      expect(await store.queue.getDelivery({ id: held!.delivery.id })).toMatchObject({
        state: 'dead',
        attempts: 7,
        progress: { a: 'acked' },
        lastError: 'x',
        nextAttemptAt: null,
        completedAt: T0 + 9,
        updatedAt: T0 + 9,
      })
      expect(await store.queue.complete({ completions: [completion(held!)] })).toEqual([])
      expect((await store.queue.getDelivery({ id: done!.delivery.id }))!.attempts).toBe(3)
      expect(await store.queue.transition({ ids: [], from: ['pending'], now: T0, apply: (d) => d })).toEqual([])
    })

    it('idempotency: a taken-over key answers for its new holder; repeats in a batch follow the holder', async () => {
      const old = message({ idempotencyKey: 'k', createdAt: T0 })
      await store.queue.enqueue({ messages: [old], idempotencySince: 0 })
      // Within the window: both repeats in one batch are duplicates of the holder.
      const [a, b] = await store.queue.enqueue({
        messages: [message({ idempotencyKey: 'k' }), message({ idempotencyKey: 'k' })],
        idempotencySince: T0,
      })
      expect([a, b]).toEqual([
        { messageId: old.id, requestId: old.requestId, duplicate: true },
        { messageId: old.id, requestId: old.requestId, duplicate: true },
      ])
      // Past the window the first of a batch takes the key over; the second repeats it.
      const fresh = message({ idempotencyKey: 'k', createdAt: T0 + 100 })
      const [c, d] = await store.queue.enqueue({
        messages: [fresh, message({ idempotencyKey: 'k', createdAt: T0 + 100 })],
        idempotencySince: T0 + 1,
      })
      expect(c).toEqual({ messageId: fresh.id, requestId: fresh.requestId, duplicate: false })
      expect(d).toEqual({ messageId: fresh.id, requestId: fresh.requestId, duplicate: true })
      const [e] = await store.queue.enqueue({ messages: [message({ idempotencyKey: 'k' })], idempotencySince: T0 + 1 })
      expect(e).toMatchObject({ messageId: fresh.id, duplicate: true })
      expect(await store.housekeeping.stats({ now: T0 + 100 })).toMatchObject({ unexpandedMessages: 2 })
    })

    it('does not claim deliveries of a disabled collection until it is enabled again', async () => {
      await setup(1)
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      await store.catalog.upsertCollection({ collection: collection({ enabled: false, updatedAt: T0 + 1 }) })
      expect(await claimConfigured(store, claimOpts())).toEqual([])
      await store.catalog.upsertCollection({ collection: collection({ enabled: true, updatedAt: T0 + 2 }) })
      expect(await claimConfigured(store, claimOpts())).toHaveLength(1)
    })

    it('holds an ordered delivery per endpoint: another endpoint of the same key is not held back', async () => {
      const [x, y] = await setup(2)
      const a = message({ orderingKey: 'k' })
      const b = message({ orderingKey: 'k' })
      await store.queue.enqueue({ messages: [a, b], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const first = await claimConfigured(store, claimOpts())
      expect(first.map((c) => c.message.id)).toEqual([a.id, a.id])
      // a is done for x only: b may go to x, not yet to y.
      const toX = first.find((c) => c.delivery.endpointId === x!.id)!
      await store.queue.complete({ completions: [completion(toX)] })
      const next = await claimConfigured(store, claimOpts())
      expect(next.map((c) => [c.message.id, c.delivery.endpointId])).toEqual([[b.id, x!.id]])
      expect(y).toBeDefined()
    })

    it('deletes a collection only while it has no endpoints', async () => {
      const [e] = await setup(1)
      expect(await store.catalog.deleteCollection({ name: 'events' })).toBe(false)
      await store.catalog.deleteEndpoint({ id: e!.id })
      expect(await store.catalog.deleteCollection({ name: 'events' })).toBe(true)
    })
  })

  describe(`${target.name}: before migrate()`, () => {
    it('every call fails with MigrationRequiredError, notify as a rejected promise', async () => {
      const { store, cleanup } = await target.makeStore()
      try {
        const calls: Array<() => unknown> = [
          () => store.queue.enqueue({ messages: [message()], idempotencySince: 0 }),
          () => claimConfigured(store, claimOpts()),
          () => store.queue.listDeliveries({}),
          () => store.catalog.listCollections(),
          () => store.catalog.insertEndpoint({ endpoint: endpoint() }),
          () => store.housekeeping.stats({ now: T0 }),
          () => store.housekeeping.getResult({ requestId: 'r', tenant: null, now: T0 }),
        ]
        for (const call of calls) await expect(Promise.resolve().then(call)).rejects.toBeInstanceOf(MigrationRequiredError)
        const outbox = createOutbox({ store })
        const pending = outbox.notify({ type: 'entity.changed', payload: {} })
        expect(pending).toBeInstanceOf(Promise)
        await expect(pending).rejects.toMatchObject({ code: 'MIGRATION_REQUIRED', message: expect.stringContaining('outbox.migrate()') })
        await outbox.migrate()
        await expect(outbox.notify({ type: 'entity.changed', payload: {} })).resolves.toMatchObject({ duplicate: false })
        await outbox.close()
      } finally {
        await store.close()
        await cleanup()
      }
    })
  })
}
