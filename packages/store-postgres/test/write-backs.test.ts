import { createOutbox, type Completion } from '@hookbox/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { startReceiver, testSchema, type Receiver } from './helpers.js'

const t = testSchema('hb_wb')
let receiver: Receiver
/** Resolves once the first write-back has reached the store. */
let firstStarted: () => void
const firstWriteBack = new Promise<void>((r) => (firstStarted = r))

beforeAll(async () => {
  // The second message is answered only once the first one's write-back is under way, so its
  // outcome arrives while that write-back is in flight.
  receiver = await startReceiver((_req, res, body) => {
    if (body.includes('"n":2')) void firstWriteBack.then(() => res.writeHead(200).end('ok'))
    else res.writeHead(200).end('ok')
  })
})
afterAll(async () => {
  await receiver.close()
  await t.drop()
})

describe('write-backs in flight (Postgres: two)', () => {
  it('writes an outcome back beside one still committing, rather than after it', { timeout: 20_000 }, async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    expect(store.writeBacksInFlight).toBe(2)
    // The first write-back is held until a second one starts: one at a time would never end it.
    const complete = store.queue.complete.bind(store.queue)
    const batches: string[][] = []
    let releaseFirst!: () => void
    const held = new Promise<void>((r) => (releaseFirst = r))
    store.queue.complete = async (request: { completions: Completion[] }) => {
      batches.push(request.completions.map((c) => c.deliveryId))
      if (batches.length === 1) {
        firstStarted()
        await held
      } else releaseFirst()
      return complete(request)
    }
    const outbox = createOutbox({
      store,
      http: { allowHttp: true },
      security: { ssrf: { allow: ['127.0.0.1'] } },
      dispatcher: { pollIntervalMs: 60_000 },
    })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'main' })
    await outbox.endpoints.create({ collection: 'main', url: receiver.url })
    const delivered: string[] = []
    const both = new Promise<void>((ok) =>
      outbox.on('delivered', ({ delivery }) => {
        if (delivered.push(delivery.id) === 2) ok()
      }),
    )
    await outbox.notify({ type: 'a.b', payload: { n: 1 } })
    await outbox.notify({ type: 'a.b', payload: { n: 2 } })
    outbox.start()
    await both
    await outbox.close()
    expect(batches).toHaveLength(2)
    expect(batches.flat().sort()).toEqual([...delivered].sort())
    const { rows } = await t.pool.query<{ state: string }>(`SELECT state FROM "${t.schema}".deliveries`)
    expect(rows.map((r) => r.state)).toEqual(['delivered', 'delivered'])
  })
})
