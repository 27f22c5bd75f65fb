import { createOutbox, type ExpandRequest } from '@hookbox/core'
import { TestReceiver } from '@hookbox/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_expand_beside')

afterAll(() => t.drop())

describe('dispatcher: expansion while deliveries are in flight', () => {
  it('claims and sends due deliveries while an expansion is still running', { timeout: 30_000 }, async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    // Expansions wait for `release` once `hold` is set: one reading new tenants' routing, slowly.
    let hold = false
    let release = () => {}
    const held = new Promise<void>((r) => (release = r))
    const expand = store.queue.expand.bind(store.queue)
    store.queue.expand = async (request: ExpandRequest) => {
      if (hold) await held
      return expand(request)
    }
    const receiver = await TestReceiver.start()
    // The first two requests hang until `answer`: the dispatcher is busy when the next message comes.
    let answer = () => {}
    const answered = new Promise<void>((r) => (answer = r))
    let calls = 0
    receiver.on('/hook', async () => {
      if (++calls <= 2) await answered
      return 200
    })
    const o = createOutbox({
      store,
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] } },
      health: { initialWindow: 2 },
    })
    try {
      await o.migrate()
      await o.collections.upsert({ name: 'events' })
      await o.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await o.notifyMany(Array.from({ length: 5 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      o.start()
      await receiver.waitFor(2, '/hook')
      hold = true
      await o.notify({ type: 'entity.changed', payload: { n: 5 } })
      answer()
      // The other three of the first five go while the sixth message's expansion is held.
      await receiver.waitFor(5, '/hook', 10_000)
      expect(receiver.to('/hook')).toHaveLength(5)
      release()
      await receiver.waitFor(6, '/hook', 10_000)
    } finally {
      answer()
      release()
      await o.close()
      await receiver.close()
    }
  })
})
