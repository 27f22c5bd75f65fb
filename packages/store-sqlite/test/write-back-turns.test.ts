import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutbox, type Completion, type SendResult, type Transport } from '@hookbox/core'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

/** Resolves in the check phase `turns` turns of the event loop from now. */
const afterTurns = (turns: number): Promise<void> =>
  new Promise((resolve) => setImmediate(() => (turns > 1 ? void afterTurns(turns - 1).then(resolve) : resolve())))

const ok: SendResult = { ok: true, latencyMs: 1, response: { status: 200, contentType: undefined, retryAfterMs: null, snippet: '' } }

describe('sqlite: write-backs gather outcomes over two turns of the event loop', () => {
  let t: ReturnType<typeof tempDatabase>
  beforeEach(() => {
    t = tempDatabase()
  })
  afterEach(() => t.cleanup())

  it('writes back an outcome that ends one turn after another in the same write-back', async () => {
    // Holds both attempts, then answers the first at once and the second two turns later: one
    // turn after the first outcome's write-back would have gone had it waited only for its own turn.
    const held: Array<() => void> = []
    const transport: Transport = {
      schemes: ['turns:'],
      send: () =>
        new Promise<SendResult>((resolve) => {
          if (held.push(() => resolve(ok)) < 2) return
          const [first, second] = held
          void afterTurns(2).then(second)
          first!()
        }),
    }
    const store = sqliteStore({ database: t.db })
    const complete = store.queue.complete.bind(store.queue)
    const batches: number[] = []
    store.queue.complete = (request: { completions: Completion[] }) => {
      batches.push(request.completions.length)
      return complete(request)
    }
    const outbox = createOutbox({ store, transports: [transport], dispatcher: { pollIntervalMs: 60_000 } })
    try {
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'main' })
      await outbox.endpoints.create({ collection: 'main', url: 'turns://receiver' })
      await outbox.notifyMany([
        { type: 'a.b', payload: { n: 1 } },
        { type: 'a.b', payload: { n: 2 } },
      ])
      let delivered = 0
      const both = new Promise<void>((done) => outbox.on('delivered', () => void (++delivered === 2 && done())))
      outbox.start()
      await both
      expect(batches).toEqual([2])
      const states = t.db.prepare('SELECT state FROM hookbox_deliveries').pluck().all()
      expect(states).toEqual(['delivered', 'delivered'])
    } finally {
      await outbox.close({ timeout: 100 })
    }
  })
})
