import { describe, expect, it } from 'vitest'
import { policies, type ManualClock, type Outbox } from '../index.js'
import type { TestReceiver } from './receiver.js'
import { eachOutbox } from './set-up.js'
import type { ConformanceTarget } from './target.js'

const DAY = 24 * 60 * 60 * 1000

/** Ordering keys, idempotency, the results cache and retention, on top of a store. */
export function describeFeatures(target: ConformanceTarget): void {
  describe(`${target.name}: ordering, idempotency, results, retention`, () => {
    let receiver: TestReceiver
    let outbox: Outbox
    let clock: ManualClock
    eachOutbox(target, { retention: { batchSize: 7 } }, (set) => void ({ receiver, outbox, clock } = set))

    it('1,000 statuses over 50 keys reach a flaky receiver in order per key', async () => {
      let n = 0
      receiver.on('/hook', () => (++n % 3 === 0 ? 500 : 200)) // every third request fails
      await outbox.collections.upsert({ name: 'incode', policy: policies.schedule(Array(30).fill(1000)) })
      await outbox.endpoints.create({ collection: 'incode', url: `${receiver.url}/hook` })
      const events = []
      for (let seq = 0; seq < 20; seq++)
        for (let k = 0; k < 50; k++)
          events.push({ type: 'onboarding.status', payload: { interviewId: `i${k}`, seq }, orderingKey: `i${k}` })
      await outbox.notifyMany(events)
      for (let round = 0; round < 200; round++) {
        await outbox.drain()
        if ((await outbox.deliveries.list({ state: 'pending', limit: 1 })).length === 0) break
        clock.advance(1000)
      }
      expect(await outbox.deliveries.list({ state: 'pending', limit: 1 })).toEqual([])
      const attempted = new Map<string, number[]>()
      for (const r of receiver.requests) {
        const { interviewId, seq } = JSON.parse(r.body) as { interviewId: string; seq: number }
        attempted.set(interviewId, [...(attempted.get(interviewId) ?? []), seq])
      }
      expect(attempted.size).toBe(50)
      for (const seqs of attempted.values()) {
        // A later status is never attempted before the earlier one was acknowledged.
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThanOrEqual(seqs[i - 1]!)
        expect(new Set(seqs).size).toBe(20)
      }
      expect(receiver.requests.length).toBeGreaterThan(1000)
      // About 1,500 requests over up to 200 drain rounds: on MySQL with a durable commit per
      // write-back this takes about 30 s on a quiet 2-core machine, so it gets a budget of its own.
    }, 180_000)

    it('without ordering keys, a failing message does not hold back the next', async () => {
      receiver.on('/hook', (r) => (JSON.parse(r.body).n === 1 ? 500 : 200))
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notifyMany([1, 2].map((n) => ({ type: 'async.completed', payload: { n } })))
      await outbox.drain()
      expect(receiver.requests.map((r) => JSON.parse(r.body).n).sort()).toEqual([1, 2])
    })

    it('an idempotency key suppresses repeats within the window only', async () => {
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      const a = await outbox.notify({ type: 'check.completed', payload: { v: 1 }, idempotencyKey: 'check-7' })
      const b = await outbox.notify({ type: 'check.completed', payload: { v: 2 } }, { idempotencyKey: 'check-7' })
      expect(b).toEqual({ ...a, duplicate: true })
      clock.advance(DAY + 1)
      const c = await outbox.notify({ type: 'check.completed', payload: { v: 3 }, idempotencyKey: 'check-7' })
      expect(c.duplicate).toBe(false)
      expect(c.messageId).not.toBe(a.messageId)
      await outbox.drain()
      expect(receiver.requests.map((r) => JSON.parse(r.body).v).sort()).toEqual([1, 3])
    })

    it('keeps results for 7 days, then they are gone', async () => {
      await outbox.results.put('01EKVV810DC7NJEC97BAQJZXWR', { status: 200, body: { entityId: 'e1', risk: 'LOW' } })
      clock.advance(7 * DAY - 1)
      expect(await outbox.results.get('01EKVV810DC7NJEC97BAQJZXWR')).toMatchObject({ status: 200, body: { entityId: 'e1', risk: 'LOW' } })
      clock.advance(1)
      expect(await outbox.results.get('01EKVV810DC7NJEC97BAQJZXWR')).toBeUndefined()
      expect(() => outbox.results.put('bad/id', { status: 200, body: null })).toThrow(expect.objectContaining({ code: 'VALIDATION' }))
    })

    it('retention removes final records older than the window, in batches, and keeps the rest', async () => {
      receiver.on('/down', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
      await outbox.notifyMany(Array.from({ length: 20 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
      await outbox.drain()
      await outbox.results.put('r-old', { status: 200, body: 1 })
      clock.advance(3 * DAY)
      await outbox.notify({ type: 'entity.changed', payload: { n: 'recent' } })
      await outbox.drain()
      clock.advance(5 * DAY) // the first 20 are 8 days old, the last 5 days; the result expired
      const counts = await outbox.purge()
      expect(counts).toEqual({ deliveries: 20, attempts: 20, messages: 20, results: 1 })
      const left = await outbox.deliveries.list()
      expect(left).toHaveLength(1)
      expect((await outbox.deliveries.get(left[0]!.id)).message.payload).toBe('{"n":"recent"}')
    })
  })
}
