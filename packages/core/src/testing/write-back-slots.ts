import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { policies, type Store } from '../index.js'
import { TestReceiver } from './receiver.js'
import { testOutbox } from './test-outbox.js'
import type { ConformanceTarget } from './target.js'
import { eventually } from './wait.js'

/** `store` with its write-backs (`queue.complete`) held until `open()`; `calls` counts them. */
function heldWriteBacks(store: Store): { store: Store; open(): void; calls(): number } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  let calls = 0
  // Bound to the real object: stores keep private fields a proxy's `this` would not reach.
  const forward = <T extends object>(target: T, key: string | symbol) => {
    const value: unknown = Reflect.get(target, key)
    return typeof value === 'function' ? value.bind(target) : value
  }
  const queue = new Proxy(store.queue, {
    get: (target, key) =>
      key === 'complete'
        ? async (request: Parameters<Store['queue']['complete']>[0]) => {
            calls++
            await opened
            return target.complete(request)
          }
        : forward(target, key),
  })
  return { store: new Proxy(store, { get: (target, key) => (key === 'queue' ? queue : forward(target, key)) }), open, calls: () => calls }
}

/** The dispatcher's slots against the write-back: an attempt's slot is free once its outcome is queued, not once that is durable. */
export function describeWriteBackSlots(target: ConformanceTarget): void {
  describe(`${target.name}: slots and write-backs`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
    })
    afterEach(async () => {
      await receiver.close()
      await cleanup()
    })

    it('sends on while write-backs commit, up to twice its concurrency in leases, and loses nothing', async () => {
      const held = heldWriteBacks(store)
      const { outbox } = testOutbox(held.store, { health: { breaker: false }, dispatcher: { concurrency: 2, pollIntervalMs: 60_000 } })
      const events = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ type: 'entity.changed', payload: { n: from + i } }))
      try {
        await outbox.migrate()
        await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
        await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
        let delivered = 0
        outbox.on('delivered', () => delivered++)
        await outbox.notifyMany(events(0, 4))
        outbox.start()
        await receiver.waitFor(2)
        await eventually(() => held.calls() >= 1)
        // New work while the first write-back is held: slots held until it is durable would
        // send nothing more here.
        await outbox.notifyMany(events(4, 2))
        await receiver.waitFor(4)
        // Their outcomes' write-back is held too where it may start beside the first (Postgres).
        await eventually(() => held.calls() >= Math.min(2, store.writeBacksInFlight ?? 1))
        await outbox.notifyMany(events(6, 2))
        for (let turn = 0; turn < 20; turn++) await new Promise((r) => setImmediate(r))
        // 2 outcomes waiting for each of the held write-backs' commit at most: no 5th lease.
        expect(receiver.requests).toHaveLength(4)
        expect(delivered).toBe(0)
        held.open()
        await eventually(() => delivered === 8)
        expect(receiver.requests).toHaveLength(8)
        const all = await outbox.deliveries.list({ limit: 10 })
        expect(all.every((d) => d.state === 'delivered' && d.attempts === 1)).toBe(true)
      } finally {
        held.open()
        await outbox.close()
      }
    })
  })
}
