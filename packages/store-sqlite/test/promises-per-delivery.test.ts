import { createHook } from 'node:async_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutbox, type Completion, type SendResult, type Transport } from '@hookbox/core'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

const N = 2000
const ok: SendResult = { ok: true, latencyMs: 0, response: { status: 200, contentType: undefined, retryAfterMs: null, snippet: '' } }

/**
 * Promises are the dispatcher's per-delivery JavaScript that does not depend on the machine's
 * load (issue 16): each one is an allocation and a microtask. Counted over a drain of N
 * deliveries with a transport that answers at once and no event listeners, the host's usual set-up.
 */
describe('sqlite: promises per delivery', () => {
  let t: ReturnType<typeof tempDatabase>
  beforeEach(() => {
    t = tempDatabase()
  })
  afterEach(() => t.cleanup())

  it(`drains ${N} deliveries with at most 10.75 promises each (main: 11.73)`, async () => {
    const transport: Transport = { schemes: ['noop:'], send: () => Promise.resolve(ok) }
    const store = sqliteStore({ database: t.db })
    const outbox = createOutbox({ store, transports: [transport], dispatcher: { pollIntervalMs: 60_000 }, telemetry: false })
    try {
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'main' })
      await outbox.endpoints.create({ collection: 'main', url: 'noop://receiver' })
      await outbox.notifyMany(Array.from({ length: N }, (_, n) => ({ type: 'a.b', payload: { n } })))
      // Completion is seen at the store, not through an event listener (which costs its payloads).
      const complete = store.queue.complete.bind(store.queue)
      let completed = 0
      let finish!: () => void
      const all = new Promise<void>((resolve) => (finish = resolve))
      store.queue.complete = async (request: { completions: Completion[] }) => {
        const applied = await complete(request)
        completed += request.completions.length
        if (completed >= N) finish()
        return applied
      }
      let promises = 0
      const hook = createHook({
        init(_id, type) {
          if (type === 'PROMISE') promises++
        },
      })
      hook.enable()
      outbox.start()
      await all
      hook.disable()
      const perDelivery = promises / N
      expect(t.db.prepare("SELECT count(*) FROM hookbox_deliveries WHERE state = 'delivered'").pluck().get()).toBe(N)
      expect(perDelivery).toBeLessThanOrEqual(10.75)
    } finally {
      await outbox.close({ timeout: 100 })
    }
  })
})
