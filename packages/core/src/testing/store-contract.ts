import { describe, expect, it } from 'vitest'
import { createPlanner, newId, policies, policyEndMs, type EndpointRecord, type Store } from '../index.js'
import { cancel, collection, completion, endpoint, expandOnce, message, requeue, T0 } from './fixtures.js'
import { claimConfigured } from './claim.js'
import { eachMigratedStore } from './set-up.js'
import type { ConformanceTarget } from './target.js'

const claimOpts = (now = T0, limit = 10) => ({ now, limit, leaseMs: 30_000, owner: 'test' })

/** The raw `Store` contract, method by method. */
export function describeStoreContract(target: ConformanceTarget): void {
  describe(`${target.name}: Store contract`, () => {
    let store: Store
    eachMigratedStore(target, (s) => (store = s))

    async function setup(mode: 'each' | 'majority' = 'each', n = 1) {
      await store.catalog.upsertCollection({ collection: collection({ failureMode: mode }) })
      const eps = Array.from({ length: n }, () => endpoint())
      for (const e of eps) await store.catalog.insertEndpoint({ endpoint: e })
      return eps
    }

    it('migrate() is idempotent', async () => {
      await store.housekeeping.migrate()
      await store.housekeeping.migrate()
      expect(await store.catalog.listCollections()).toEqual([])
    })

    it('round-trips collections and endpoints, JSON fields included', async () => {
      const c = collection({ events: ['entity.*'], success: { acknowledge: [204, { status: 200, contentType: 'application/json' }] } })
      expect(await store.catalog.upsertCollection({ collection: c })).toEqual(c)
      const changed = { ...c, failureMode: 'majority' as const, policy: policies.exponential(), updatedAt: T0 + 1 }
      expect(await store.catalog.upsertCollection({ collection: changed })).toEqual(changed)
      expect(await store.catalog.listCollections()).toEqual([changed])
      const e = endpoint({
        headers: { 'x-tenant': 'a' },
        events: ['entity.changed'],
        auth: { type: 'basic', token: 'x' },
        appendRequestId: true,
        timeoutMs: 1234,
      })
      await store.catalog.insertEndpoint({ endpoint: e })
      expect(await store.catalog.getEndpoint({ id: e.id })).toEqual(e)
      const updated = { ...e, url: 'https://example.org/x', enabled: false, disabledReason: 'off' }
      expect(await store.catalog.updateEndpoint({ endpoint: updated })).toBe(true)
      expect(await store.catalog.listEndpoints({ enabled: false })).toEqual([updated])
      expect(await store.catalog.listEndpoints({ enabled: true })).toEqual([])
      expect(await store.catalog.updateEndpoint({ endpoint: { ...e, id: 'missing' } })).toBe(false)
      expect(await store.catalog.deleteEndpoint({ id: e.id })).toBe(true)
      expect(await store.catalog.getEndpoint({ id: e.id })).toBeUndefined()
      expect(await store.catalog.deleteCollection({ name: 'events' })).toBe(true)
      expect(await store.catalog.getCollection({ name: 'events' })).toBeUndefined()
    })

    it('expands a message once into the planned deliveries', async () => {
      const eps = await setup('each', 2)
      const m = message()
      await store.queue.enqueue({ messages: [m], idempotencySince: 0 })
      expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(1)
      expect(await expandOnce(store, { limit: 10, now: T0 })).toBe(0)
      const ds = await store.queue.listDeliveries({ messageId: m.id })
      expect(ds.map((d) => d.endpointId).sort()).toEqual(eps.map((e) => e.id).sort())
      expect(ds.every((d) => d.state === 'pending' && d.attempts === 0 && d.nextAttemptAt === T0)).toBe(true)
    })

    it('leases claims: not claimable again until the lease runs out, then with a new token', async () => {
      await setup()
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const [first] = await claimConfigured(store, claimOpts())
      expect(first).toBeDefined()
      expect(first!.message.payload).toBe('{"a":1}')
      expect(first!.collection.name).toBe('events')
      expect(first!.endpoints).toHaveLength(1)
      expect(await claimConfigured(store, claimOpts(T0 + 29_999))).toEqual([])
      const [again] = await claimConfigured(store, claimOpts(T0 + 30_000))
      expect(again!.delivery.id).toBe(first!.delivery.id)
      expect(again!.leaseToken).not.toBe(first!.leaseToken)

      // The stale holder's write-back logs its attempt but changes nothing else, not even the
      // endpoint its late 410 asks to disable.
      const endpointId = first!.endpoints[0]!.id
      const attempt = {
        id: newId(),
        deliveryId: first!.delivery.id,
        tenant: null,
        endpointId,
        round: 1,
        url: 'u',
        startedAt: T0,
        latencyMs: 5,
        statusCode: 410,
        outcome: 'stop' as const,
        error: null,
        responseSnippet: 'gone',
      }
      const stale = completion(first!, {
        state: 'dead',
        attemptLog: [attempt],
        disableEndpoints: [{ id: endpointId, reason: 'responded 410' }],
      })
      expect(await store.queue.complete({ completions: [stale] })).toEqual([])
      expect((await store.queue.getDelivery({ id: first!.delivery.id }))!.state).toBe('pending')
      expect(await store.queue.listAttempts({ deliveryId: first!.delivery.id })).toEqual([attempt])
      expect((await store.catalog.getEndpoint({ id: endpointId }))!.enabled).toBe(true)
      expect(await store.queue.complete({ completions: [completion(again!)] })).toEqual([again!.delivery.id])
      const done = await store.queue.getDelivery({ id: first!.delivery.id })
      expect(done!.state).toBe('delivered')
      expect(done!.completedAt).toBe(T0)
      expect(await claimConfigured(store, claimOpts(T0 + 60_000))).toEqual([])
    })

    it('one write-back batch with a stale and the current outcome of a delivery applies only the current one', async () => {
      await setup()
      await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const first = await claimConfigured(store, claimOpts())
      expect(first).toHaveLength(2)
      const [again] = await claimConfigured(store, { ...claimOpts(T0 + 30_000), limit: 1 })
      const stale = first.find((c) => c.delivery.id === again!.delivery.id)!
      const other = first.find((c) => c.delivery.id !== again!.delivery.id)!
      // Batch order: the stale outcome, the other delivery's, then the current one of the first.
      const applied = await store.queue.complete({
        completions: [
          completion(stale, { state: 'dead', lastError: 'stale' }),
          completion(other),
          completion(again!, { state: 'delivered', completedAt: T0 + 30_000 }),
        ],
      })
      // Each applied delivery once (where a repeated one stands in the list is the store's).
      expect([...applied].sort()).toEqual([other.delivery.id, again!.delivery.id].sort())
      const done = await store.queue.getDelivery({ id: again!.delivery.id })
      expect(done).toMatchObject({ state: 'delivered', completedAt: T0 + 30_000, lastError: null })
      expect((await store.queue.getDelivery({ id: other.delivery.id }))!.state).toBe('delivered')
    })

    it('does not claim deliveries that are not due yet', async () => {
      await setup()
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const [c] = await claimConfigured(store, claimOpts())
      await store.queue.complete({ completions: [completion(c!, { state: 'pending', nextAttemptAt: T0 + 900_000, completedAt: null })] })
      expect(await claimConfigured(store, claimOpts(T0 + 899_999))).toEqual([])
      expect(await claimConfigured(store, claimOpts(T0 + 900_000))).toHaveLength(1)
    })

    it('claims up to the limit, oldest due first', async () => {
      await setup()
      const ms = Array.from({ length: 5 }, (_, i) => message({ createdAt: T0 + i }))
      await store.queue.enqueue({ messages: ms, idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 + 10 })
      const first = await claimConfigured(store, claimOpts(T0 + 10, 3))
      expect(first.map((c) => c.message.id)).toEqual(ms.slice(0, 3).map((m) => m.id))
      const rest = await claimConfigured(store, claimOpts(T0 + 10, 3))
      expect(rest.map((c) => c.message.id)).toEqual(ms.slice(3).map((m) => m.id))
    })

    it('holds back a later message with the same ordering key until the earlier one is final', async () => {
      await setup()
      const a = message({ orderingKey: 'k1' })
      const b = message({ orderingKey: 'k1' })
      const other = message({ orderingKey: 'k2' })
      await store.queue.enqueue({ messages: [a, b, other], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const claims = await claimConfigured(store, claimOpts())
      expect(claims.map((c) => c.message.id).sort()).toEqual([a.id, other.id].sort())
      const ca = claims.find((c) => c.message.id === a.id)!
      await store.queue.complete({ completions: [completion(ca, { state: 'pending', nextAttemptAt: T0, completedAt: null })] })
      expect((await claimConfigured(store, claimOpts())).map((c) => c.message.id)).toEqual([a.id])
      const [ca2] = await claimConfigured(store, claimOpts(T0 + 30_000))
      await store.queue.complete({ completions: [completion(ca2!, { state: 'dead' })] })
      expect((await claimConfigured(store, claimOpts(T0 + 30_000))).map((c) => c.message.id)).toEqual([b.id])
    })

    it('skips each-mode deliveries whose endpoint is disabled, and resumes when enabled', async () => {
      const [e] = await setup()
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      await store.catalog.updateEndpoint({ endpoint: { ...e!, enabled: false } })
      expect(await claimConfigured(store, claimOpts())).toEqual([])
      await store.catalog.updateEndpoint({ endpoint: { ...e!, enabled: true } })
      expect(await claimConfigured(store, claimOpts())).toHaveLength(1)
    })

    it('expand with a lease leases fresh unordered deliveries in the same transaction', async () => {
      const [e] = await setup()
      await store.queue.enqueue({ messages: [message(), message(), message({ orderingKey: 'k' }), message()], idempotencySince: 0 })
      const lease = { owner: 'fast', leaseMs: 30_000, limit: 2 }
      const { expanded, claims } = await store.queue.expand({ limit: 10, now: T0, lease, planner: createPlanner() })
      expect(expanded).toBe(4)
      expect(claims).toHaveLength(2)
      expect(claims.every((c) => c.delivery.orderingKey === null && c.endpoints[0]!.id === e!.id && c.collection.name === 'events')).toBe(
        true,
      )
      // Leased: a claim finds only the other two; the token fences the write-back as for any claim.
      const others = await claimConfigured(store, claimOpts())
      expect(others.map((c) => c.delivery.id).sort()).not.toContain(claims[0]!.delivery.id)
      expect(others).toHaveLength(2)
      expect(await store.queue.complete({ completions: [completion(claims[0]!, { state: 'delivered', completedAt: T0 })] })).toEqual([
        claims[0]!.delivery.id,
      ])
      expect((await store.queue.getDelivery({ id: claims[0]!.delivery.id }))!.state).toBe('delivered')
    })

    it("expand leases only what the planner's admitLease admits; the rest stays due for a claim", async () => {
      const [a] = await setup('each', 2)
      await store.queue.enqueue({ messages: [message(), message(), message()], idempotencySince: 0 })
      // Room for one delivery to endpoint a and none to b, as a dispatcher's full windows would say.
      const room = new Map([[a!.id, 1]])
      const admitLease = (endpoints: readonly EndpointRecord[]) => {
        if (endpoints.some((e) => (room.get(e.id) ?? 0) <= 0)) return false
        for (const e of endpoints) room.set(e.id, room.get(e.id)! - 1)
        return true
      }
      const lease = { owner: 'fast', leaseMs: 30_000, limit: 10 }
      const { expanded, claims } = await store.queue.expand({ limit: 10, now: T0, lease, planner: createPlanner({ admitLease }) })
      expect(expanded).toBe(3)
      expect(claims.map((c) => c.delivery.endpointId)).toEqual([a!.id])
      const others = await claimConfigured(store, claimOpts(T0, 10))
      expect(others).toHaveLength(5)
      expect(others.map((c) => c.delivery.id)).not.toContain(claims[0]!.delivery.id)
    })

    it('skips each-mode deliveries of a paused endpoint or one in skipEndpoints, and records health', async () => {
      const [a, b] = await setup('each', 2)
      await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      expect(await store.catalog.setEndpointHealth({ id: a!.id, pausedUntil: T0 + 1_000, failingSince: T0 - 5, now: T0 })).toBe(true)
      expect(await store.catalog.setEndpointHealth({ id: 'missing', pausedUntil: null, now: T0 })).toBe(false)
      expect(await store.catalog.getEndpoint({ id: a!.id })).toMatchObject({
        pausedUntil: T0 + 1_000,
        failingSince: T0 - 5,
        enabled: true,
        updatedAt: T0,
      })
      const onlyB = await claimConfigured(store, { ...claimOpts(T0, 10), leaseMs: 1 })
      expect(onlyB.map((c) => c.delivery.endpointId)).toEqual([b!.id, b!.id])
      expect(
        await claimConfigured(store, { ...claimOpts(T0 + 1_000), skipEndpoints: [b!.id] }).then((cs) =>
          cs.map((c) => c.delivery.endpointId),
        ),
      ).toEqual([a!.id, a!.id])
      await store.catalog.setEndpointHealth({ id: b!.id, disable: 'failing for days', now: T0 })
      expect(await store.catalog.getEndpoint({ id: b!.id })).toMatchObject({ enabled: false, disabledReason: 'failing for days' })
    })

    it('skipping endpoints still claims those on either side of them and majority deliveries, and nothing once only skipped ones are due', async () => {
      // Ids that sort around the skipped ones: a store may look for work between them first.
      const ids = ['ep_a', 'ep_b', 'ep_c', 'ep_d']
      await store.catalog.upsertCollection({ collection: collection() })
      await store.catalog.upsertCollection({ collection: collection({ name: 'fan', failureMode: 'majority' }) })
      for (const id of ids) await store.catalog.insertEndpoint({ endpoint: endpoint({ id }) })
      for (const id of ['fan_1', 'fan_2']) await store.catalog.insertEndpoint({ endpoint: endpoint({ id, collection: 'fan' }) })
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const claimed = async (skipEndpoints: string[]) =>
        (await claimConfigured(store, { ...claimOpts(T0, 10), skipEndpoints }))
          .map((c) => c.delivery.endpointId ?? c.collection.name)
          .sort()
      expect(await claimed(['ep_d', 'ep_b'])).toEqual(['ep_a', 'ep_c', 'fan'])
      expect(await claimed(['ep_b', 'ep_d'])).toEqual([])
      expect(await claimed(['ep_b'])).toEqual(['ep_d'])
      expect(await claimConfigured(store, { ...claimOpts(T0 + 30_000, 10), skipEndpoints: ids })).toHaveLength(1)
      expect(await claimed(ids)).toEqual([])
    })

    it('disables endpoints listed in a completion', async () => {
      const [e] = await setup()
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const [c] = await claimConfigured(store, claimOpts())
      await store.queue.complete({
        completions: [completion(c!, { state: 'dead', disableEndpoints: [{ id: e!.id, reason: 'responded 410' }] })],
      })
      const after = await store.catalog.getEndpoint({ id: e!.id })
      expect(after!.enabled).toBe(false)
      expect(after!.disabledReason).toBe('responded 410')
    })

    it('honours idempotency keys within the window only', async () => {
      const first = message({ idempotencyKey: 'key-1' })
      const [r1] = await store.queue.enqueue({ messages: [first], idempotencySince: T0 - 1000 })
      expect(r1).toEqual({ messageId: first.id, requestId: first.requestId, duplicate: false })
      const [r2] = await store.queue.enqueue({ messages: [message({ idempotencyKey: 'key-1' })], idempotencySince: T0 - 1000 })
      expect(r2).toEqual({ messageId: first.id, requestId: first.requestId, duplicate: true })
      const late = message({ idempotencyKey: 'key-1', createdAt: T0 + 10_000 })
      const [r3] = await store.queue.enqueue({ messages: [late], idempotencySince: T0 + 1 })
      expect(r3).toEqual({ messageId: late.id, requestId: late.requestId, duplicate: false })
      expect(await store.queue.getMessage({ id: late.id })).toBeDefined()
    })

    it('writes many messages at once and de-duplicates keys inside one batch', async () => {
      const ms = Array.from({ length: 1200 }, () => message())
      const dup = message({ idempotencyKey: 'same' })
      const out = await store.queue.enqueue({ messages: [...ms, dup, message({ idempotencyKey: 'same' })], idempotencySince: 0 })
      expect(out).toHaveLength(1202)
      expect(out[1201]).toEqual({ messageId: dup.id, requestId: dup.requestId, duplicate: true })
      await store.catalog.upsertCollection({ collection: collection() })
      await store.catalog.insertEndpoint({ endpoint: endpoint() })
      let expanded = 0
      for (let n; (n = await expandOnce(store, { limit: 500, now: T0 }));) expanded += n
      expect(expanded).toBe(1201)
    })

    it('requeues final deliveries with a fresh schedule and deletes by state', async () => {
      await setup()
      await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const claims = await claimConfigured(store, claimOpts())
      await store.queue.complete({
        completions: claims.map((c) => completion(c, { state: 'dead', attempts: 51, progress: { x: 'stopped' } })),
      })
      const [a, b] = claims.map((c) => c.delivery.id)
      expect(await requeue(store, [a!, 'missing'], T0 + 5, ['dead'])).toEqual([a])
      const re = await store.queue.getDelivery({ id: a! })
      expect(re).toMatchObject({
        state: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + 5,
        windowStart: T0 + 5,
        // The policy's end moves with the schedule's start.
        deadline: T0 + 5 + policyEndMs(policies.fixed())!,
        progress: {},
        completedAt: null,
      })
      // Acknowledgements survive a replay; other progress is cleared.
      const [c] = await claimConfigured(store, claimOpts(T0 + 5))
      await store.queue.complete({ completions: [completion(c!, { state: 'dead', progress: { e1: 'acked', e2: 'stopped', e3: 'gone' } })] })
      await requeue(store, [a!], T0 + 6, ['dead'])
      expect((await store.queue.getDelivery({ id: a! }))!.progress).toEqual({ e1: 'acked' })
      expect(await requeue(store, [a!], T0 + 5, ['dead'])).toEqual([])
      expect(await store.queue.deleteDeliveries({ ids: [a!, b!], states: ['dead'] })).toBe(1)
      expect(await store.queue.getDelivery({ id: b! })).toBeUndefined()
      expect(await store.queue.getDelivery({ id: a! })).toBeDefined()
    })

    it('cancels pending deliveries only, fencing off a dispatcher that holds one', async () => {
      await setup()
      await store.queue.enqueue({ messages: [message(), message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const [held, other] = await claimConfigured(store, claimOpts())
      await store.queue.complete({ completions: [completion(other!)] })
      expect(await cancel(store, [held!.delivery.id, other!.delivery.id, 'missing'], T0 + 7, 'customer gone')).toEqual([held!.delivery.id])
      expect(await store.queue.getDelivery({ id: held!.delivery.id })).toMatchObject({
        state: 'failed',
        lastError: 'customer gone',
        completedAt: T0 + 7,
      })
      expect((await store.queue.getDelivery({ id: other!.delivery.id }))!.state).toBe('delivered')
      expect(await store.queue.complete({ completions: [completion(held!)] })).toEqual([])
      expect((await store.queue.getDelivery({ id: held!.delivery.id }))!.state).toBe('failed')
      expect(await claimConfigured(store, claimOpts(T0 + 60_000))).toEqual([])
    })

    it('lists deliveries by request id, state, endpoint and cursor', async () => {
      const [e1, e2] = await setup('each', 2)
      const m = message({ requestId: 'req-1' })
      await store.queue.enqueue({ messages: [m, message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      expect(await store.queue.listDeliveries({ requestId: 'req-1' })).toHaveLength(2)
      expect(await store.queue.listDeliveries({ endpointId: e1!.id })).toHaveLength(2)
      expect(await store.queue.listDeliveries({ endpointId: e2!.id, requestId: 'req-1' })).toHaveLength(1)
      expect(await store.queue.listDeliveries({ state: 'dead' })).toHaveLength(0)
      const all = await store.queue.listDeliveries({ limit: 10 })
      expect(all).toHaveLength(4)
      expect(await store.queue.listDeliveries({ after: all[1]!.id })).toEqual(all.slice(2))
    })

    it('stores results until they expire', async () => {
      await store.housekeeping.putResult({
        result: { tenant: null, requestId: 'r1', status: 202, body: { ok: true }, createdAt: T0, expiresAt: T0 + 1000 },
      })
      expect(await store.housekeeping.getResult({ requestId: 'r1', tenant: null, now: T0 + 999 })).toEqual({
        requestId: 'r1',
        tenant: null,
        status: 202,
        body: { ok: true },
        createdAt: T0,
        expiresAt: T0 + 1000,
      })
      expect(await store.housekeeping.getResult({ requestId: 'r1', tenant: null, now: T0 + 1000 })).toBeUndefined()
      await store.housekeeping.putResult({
        result: { tenant: null, requestId: 'r1', status: 200, body: 'replaced', createdAt: T0, expiresAt: T0 + 5000 },
      })
      expect((await store.housekeeping.getResult({ requestId: 'r1', tenant: null, now: T0 + 1000 }))!.body).toBe('replaced')
    })

    it('purges whole deliveries with all their attempts, and keeps idempotency keys inside their window', async () => {
      await setup()
      const keyed = message({ idempotencyKey: 'still-live' })
      const plain = message()
      await store.queue.enqueue({ messages: [keyed, plain], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const claims = await claimConfigured(store, claimOpts())
      const attempts = (c: (typeof claims)[0]) =>
        Array.from({ length: 5 }, (_, i) => ({
          id: newId(),
          deliveryId: c.delivery.id,
          tenant: null,
          endpointId: c.endpoints[0]!.id,
          round: i + 1,
          url: 'u',
          startedAt: T0,
          latencyMs: 1,
          statusCode: 500,
          outcome: 'retry' as const,
          error: null,
          responseSnippet: null,
        }))
      await store.queue.complete({ completions: claims.map((c) => completion(c, { state: 'dead', attemptLog: attempts(c) })) })
      const counts = await store.housekeeping.purge({ finishedBefore: T0 + 1, now: T0 + 1, limit: 1, keepIdempotencySince: T0 })
      expect(counts).toMatchObject({ deliveries: 1, attempts: 5 })
      const again = await store.housekeeping.purge({ finishedBefore: T0 + 1, now: T0 + 1, limit: 10, keepIdempotencySince: T0 })
      expect(again).toMatchObject({ deliveries: 1, attempts: 5 })
      expect(counts.messages + again.messages).toBe(1)
      expect(await store.queue.getMessage({ id: plain.id })).toBeUndefined()
      expect(await store.queue.getMessage({ id: keyed.id })).toBeDefined()
      const [dup] = await store.queue.enqueue({ messages: [message({ idempotencyKey: 'still-live' })], idempotencySince: T0 })
      expect(dup).toMatchObject({ messageId: keyed.id, duplicate: true })
    })

    it('purges old final records in bounded batches and keeps pending ones', async () => {
      await setup()
      const ms = Array.from({ length: 5 }, () => message())
      await store.queue.enqueue({ messages: ms, idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      const claims = await claimConfigured(store, claimOpts())
      const attempt = (c: (typeof claims)[0]) => ({
        id: newId(),
        deliveryId: c.delivery.id,
        tenant: null,
        endpointId: c.endpoints[0]!.id,
        round: 1,
        url: 'u',
        startedAt: T0,
        latencyMs: 1,
        statusCode: 200,
        outcome: 'ack' as const,
        error: null,
        responseSnippet: null,
      })
      await store.queue.complete({ completions: claims.slice(0, 4).map((c) => completion(c, { attemptLog: [attempt(c)] })) })
      await store.housekeeping.putResult({
        result: { tenant: null, requestId: 'old', status: 200, body: null, createdAt: T0, expiresAt: T0 + 10 },
      })
      const first = await store.housekeeping.purge({ finishedBefore: T0 + 1, now: T0 + 10, limit: 3, keepIdempotencySince: 0 })
      expect(first).toEqual({ deliveries: 3, attempts: 3, messages: 3, results: 1 })
      const second = await store.housekeeping.purge({ finishedBefore: T0 + 1, now: T0 + 10, limit: 3, keepIdempotencySince: 0 })
      expect(second).toEqual({ deliveries: 1, attempts: 1, messages: 1, results: 0 })
      expect(await store.queue.listDeliveries({})).toHaveLength(1)
      expect(await store.queue.getMessage({ id: claims[4]!.message.id })).toBeDefined()
    })
  })
}
