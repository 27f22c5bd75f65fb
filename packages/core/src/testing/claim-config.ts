import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { attachConfig, routingForClaim, servesClaim } from '../dispatcher/attach-config.js'
import { createPlanner } from '../dispatcher/plan.js'
import { loadRoutingSnapshot, RoutingSnapshot } from '../dispatcher/routing-snapshot.js'
import { policies, type Outbox, type Store } from '../index.js'
import { collection, endpoint, expandOnce, message, T0 } from './fixtures.js'
import { TestReceiver } from './receiver.js'
import type { ConformanceTarget } from './target.js'
import { testOutbox } from './test-outbox.js'

const LEASE = { limit: 10, leaseMs: 30_000, owner: 'd1' }

/**
 * The lean claim (issue 16): a store's claim returns plain columns, the breaker's columns of the
 * targets and the config version; core attaches the configuration from memory only while that
 * version matches, and otherwise reads it again, so a claim never sees a stale configuration.
 */
export function describeClaimConfig(target: ConformanceTarget): void {
  describe(`${target.name}: claim with the configuration from memory`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      await store.housekeeping.migrate()
      await store.catalog.upsertCollection({ collection: collection() })
    })
    afterEach(async () => {
      await store.close()
      await cleanup()
    })

    /** One `each` delivery to `e`, expanded and due at T0. */
    async function pendingTo(e = endpoint()): Promise<string> {
      await store.catalog.insertEndpoint({ endpoint: e })
      await store.queue.enqueue({ messages: [message()], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      return e.id
    }

    it('returns the message, the breaker’s columns as they are now and the version of the claim', async () => {
      const id = await pendingTo()
      await store.catalog.setEndpointHealth({ id, failingSince: T0 - 5, now: T0 + 1 })
      const result = await store.queue.claim({ ...LEASE, now: T0 + 2 })
      expect(result.leased).toHaveLength(1)
      const [leased] = result.leased
      expect(leased!.message).toMatchObject({ id: leased!.delivery.messageId, type: message().type, payload: message().payload })
      expect(leased!.health).toEqual([{ id, pausedUntil: null, failingSince: T0 - 5, updatedAt: T0 + 1 }])
      if (store.catalog.configVersion) expect(result.configVersion).toBe(await store.catalog.configVersion())
    })

    it('a configuration change between the snapshot and the claim: the claim gets the new configuration', async () => {
      if (!store.catalog.configVersion) return
      const e = endpoint()
      await pendingTo(e)
      const snapshot = (await loadRoutingSnapshot(store.catalog))!
      await store.catalog.updateEndpoint({ endpoint: { ...e, url: 'https://example.org/moved', updatedAt: T0 + 1 } })
      const result = await store.queue.claim({ ...LEASE, now: T0 + 2 })
      expect(servesClaim(snapshot, result.configVersion)).toBe(false)
      const routing = await routingForClaim(result, snapshot, store.catalog)
      const [claim] = attachConfig(result.leased, routing)
      expect(claim!.endpoints.map((x) => x.url)).toEqual(['https://example.org/moved'])
      expect(claim!.collection.name).toBe('events')
    })

    it('an endpoint disabled after the snapshot comes with the claim, disabled, from memory at the new version', async () => {
      if (!store.catalog.configVersion) return
      await store.catalog.upsertCollection({ collection: collection({ failureMode: 'majority' }) })
      const [a, b] = [endpoint({ id: 'ep-a' }), endpoint({ id: 'ep-b' })]
      await store.catalog.insertEndpoint({ endpoint: a })
      await pendingTo(b)
      const before = (await loadRoutingSnapshot(store.catalog))!
      await store.catalog.setEndpointHealth({ id: a.id, disable: 'gone away', now: T0 + 1 })
      const after = (await loadRoutingSnapshot(store.catalog))!
      const result = await store.queue.claim({ ...LEASE, now: T0 + 2 })
      expect(servesClaim(before, result.configVersion)).toBe(false)
      expect(servesClaim(after, result.configVersion)).toBe(true)
      const [claim] = attachConfig(result.leased, after)
      expect(claim!.endpoints.map((x) => [x.id, x.enabled])).toEqual([
        ['ep-a', false],
        ['ep-b', true],
      ])
    })

    it('a claim of many unlearned tenants reads the whole configuration at once', async () => {
      if (!store.catalog.configVersion) return
      const tenants = Array.from({ length: 20 }, (_, i) => `t${i}`)
      for (const tenant of tenants) await store.catalog.insertEndpoint({ endpoint: endpoint({ id: `ep-${tenant}`, tenant }) })
      await store.queue.enqueue({ messages: tenants.map((tenant) => message({ tenant })), idempotencySince: 0 })
      await expandOnce(store, { limit: 100, now: T0 })
      const partial = RoutingSnapshot.partial(await store.catalog.configVersion(), await store.catalog.listCollections())
      const result = await store.queue.claim({ ...LEASE, limit: 100, now: T0 + 2 })
      expect(result.leased).toHaveLength(20)
      const routing = await routingForClaim(result, partial, store.catalog)
      expect(routing).not.toBe(partial)
      expect(routing.unknownTenants(result.leased.map((l) => l.delivery))).toEqual([])
      expect(attachConfig(result.leased, routing).map((c) => c.endpoints.map((e) => e.id))).toEqual(
        result.leased.map((l) => [`ep-${l.delivery.tenant}`]),
      )
    })

    it('a batch the store read routing for is planned from memory next time, for its tenants only', async () => {
      if (!store.catalog.configVersion) return
      await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep-acme', tenant: 'acme' }) })
      await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep-globex', tenant: 'globex' }) })
      let learned: RoutingSnapshot | undefined
      await store.queue.enqueue({ messages: [message({ tenant: 'acme' })], idempotencySince: 0 })
      await store.queue.expand({ limit: 10, now: T0, planner: createPlanner({ onLearned: (r) => (learned = r) }) })
      expect(learned?.version).toBe(await store.catalog.configVersion())
      // Another acme message is planned from memory; globex's was never read, so the store reads it.
      const acme = message({ tenant: 'acme' })
      expect(learned!.input([acme])?.endpoints.map((e) => e.id)).toEqual(['ep-acme'])
      expect(learned!.input([acme, message({ tenant: 'globex' })])).toBeUndefined()
      const globex = message({ tenant: 'globex' })
      await store.queue.enqueue({ messages: [globex], idempotencySince: 0 })
      await store.queue.expand({ limit: 10, now: T0, planner: createPlanner({ routing: learned }) })
      expect((await store.queue.listDeliveries({ messageId: globex.id })).map((d) => d.endpointId)).toEqual(['ep-globex'])
    })

    it('a claim of a tenant the snapshot has not learned reads it: disabled endpoints and tenant state included', async () => {
      if (!store.catalog.configVersion) return
      await store.catalog.upsertCollection({ collection: collection({ failureMode: 'majority' }) })
      await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep-a', tenant: 'acme' }) })
      await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep-b', tenant: 'acme' }) })
      await store.queue.enqueue({ messages: [message({ tenant: 'acme' })], idempotencySince: 0 })
      await expandOnce(store, { limit: 10, now: T0 })
      await store.catalog.setEndpointHealth({ id: 'ep-a', disable: 'gone away', now: T0 + 1 })
      const partial = RoutingSnapshot.partial(await store.catalog.configVersion(), await store.catalog.listCollections())
      const result = await store.queue.claim({ ...LEASE, now: T0 + 2 })
      expect(partial.unknownTenants(result.leased.map((l) => l.delivery))).toEqual(['acme'])
      const routing = await routingForClaim(result, partial, store.catalog)
      expect(routing).toBe(partial)
      expect(partial.unknownTenants(result.leased.map((l) => l.delivery))).toEqual([])
      const [claim] = attachConfig(result.leased, routing)
      expect(claim!.endpoints.map((x) => [x.id, x.enabled])).toEqual([
        ['ep-a', false],
        ['ep-b', true],
      ])
      expect(claim!.tenantEnabled).toBe(true)
    })
  })

  describe(`${target.name}: a running dispatcher's claims follow configuration changes`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver
    let outbox: Outbox
    let clock: ReturnType<typeof testOutbox>['clock']

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
      ;({ outbox, clock } = testOutbox(store))
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed({ retries: 2, intervalMs: 1_000 }) })
    })
    afterEach(async () => {
      await outbox.close()
      await receiver.close()
      await cleanup()
    })

    it('a retry goes to the endpoint’s new URL', async () => {
      receiver.on('/old', 500)
      const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/old`, auth: { type: 'none' } })
      await outbox.notify({ type: 'a.b', payload: 1 })
      await outbox.drain()
      expect(receiver.to('/old')).toHaveLength(1)
      await outbox.endpoints.update(e.id, { url: `${receiver.url}/new` })
      clock.advance(1_000)
      await outbox.drain()
      expect(receiver.to('/new')).toHaveLength(1)
      expect(receiver.to('/old')).toHaveLength(1)
    })

    it('an endpoint disabled after the dispatcher took its snapshot is skipped with its reason', async () => {
      receiver.on('/down', 500)
      const e = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/down`, auth: { type: 'none' } })
      await outbox.notify({ type: 'a.b', payload: 1 })
      await outbox.drain()
      await outbox.endpoints.disable(e.id)
      // An expansion after the change: the dispatcher now holds the version with it disabled.
      await outbox.notify({ type: 'unrouted.type', payload: 2 })
      await outbox.drain()
      clock.advance(60 * 60 * 1000) // past the policy's end: the disabled endpoint's delivery is claimed to be ended
      await outbox.drain()
      expect(receiver.to('/down')).toHaveLength(1)
      const [d] = await outbox.deliveries.list({})
      expect(d!.state).toBe('dead')
      expect(d!.lastError).toMatch(/^endpoint is disabled/)
    })
  })
}
