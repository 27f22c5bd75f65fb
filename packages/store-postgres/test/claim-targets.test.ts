import { createOutbox, createPlanner } from '@hookbox/core'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

const t = testSchema('hb_claim_targets')
afterAll(() => t.drop())

describe("the claim's breaker columns of a delivery's targets", () => {
  it('a majority delivery comes with each existing target, an each delivery with its one endpoint', async () => {
    const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
    const outbox = createOutbox({ store })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'all', events: ['m.*'], failureMode: 'majority' })
    await outbox.collections.upsert({ name: 'one', events: ['e.*'] })
    const a = await outbox.endpoints.create({ collection: 'all', url: 'https://example.com/a' })
    const b = await outbox.endpoints.create({ collection: 'all', url: 'https://example.com/b' })
    const e = await outbox.endpoints.create({ collection: 'one', url: 'https://example.com/e' })
    await outbox.notify({ type: 'm.x', payload: 1 })
    await outbox.notify({ type: 'e.x', payload: 2 })
    const now = Date.now()
    await store.catalog.setEndpointHealth({ id: b.id, failingSince: now - 5, now: now - 1 })
    await store.queue.expand({ limit: 10, now, planner: createPlanner() })
    const { leased } = await store.queue.claim({ limit: 10, now, leaseMs: 30_000, owner: 'me' })
    const health = Object.fromEntries(leased.map((l) => [l.delivery.collection, [...l.health].sort((x, y) => x.id.localeCompare(y.id))]))
    const columns = (id: string, failingSince: number | null) => ({ id, pausedUntil: null, failingSince, updatedAt: expect.any(Number) })
    expect(health).toEqual({
      all: [columns(a.id, null), columns(b.id, now - 5)].sort((x, y) => x.id.localeCompare(y.id)),
      one: [columns(e.id, null)],
    })
  })
})
