import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPlanner, policies, type Outbox, type Store } from '../index.js'
import { RoutingSnapshot } from '../dispatcher/routing-snapshot.js'
import { collection, endpoint, message, T0 } from './fixtures.js'
import { TestReceiver } from './receiver.js'
import { testOutbox } from './test-outbox.js'
import type { ConformanceTarget } from './target.js'
import { eventually } from './wait.js'

/**
 * The configuration version and the routing held in memory (issue 16): every configuration write
 * bumps the version, the breaker's health writes do not, a store's expansion plans from memory
 * only at the version it reads itself, and a running dispatcher sees admin changes.
 */
export function describeConfigVersion(target: ConformanceTarget): void {
  describe(`${target.name}: config version and routing in memory`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      await store.housekeeping.migrate()
    })
    afterEach(async () => {
      await store.close()
      await cleanup()
    })

    /** Whether `write` changed the version. */
    async function bumps(write: () => Promise<unknown>): Promise<boolean> {
      const before = await store.catalog.configVersion!()
      await write()
      return (await store.catalog.configVersion!()) !== before
    }

    it('bumps on every configuration write, not on the breaker’s health writes', async () => {
      if (!store.catalog.configVersion) return
      const { catalog } = store
      const e = endpoint()
      expect(await bumps(() => catalog.upsertCollection({ collection: collection() }))).toBe(true)
      expect(await bumps(() => catalog.insertEndpoint({ endpoint: e }))).toBe(true)
      expect(await bumps(() => catalog.updateEndpoint({ endpoint: { ...e, url: 'https://example.org/other' } }))).toBe(true)
      expect(await bumps(() => catalog.setEndpointHealth({ id: e.id, pausedUntil: T0 + 1000, failingSince: T0, now: T0 }))).toBe(false)
      expect(await bumps(() => catalog.leaseProbe({ id: e.id, now: T0 + 1000, until: T0 + 2000 }))).toBe(false)
      expect(await bumps(() => catalog.setEndpointHealth({ id: e.id, disable: 'gone', now: T0 }))).toBe(true)
      expect(await bumps(() => catalog.ensureTenant({ tenant: 'acme', now: T0 }))).toBe(true)
      expect(await bumps(() => catalog.ensureTenant({ tenant: 'acme', now: T0 + 1 }))).toBe(false)
      const acme = (await catalog.getTenant({ tenant: 'acme' }))!
      expect(await bumps(() => catalog.upsertTenant({ tenant: { ...acme, enabled: false, disabledReason: 'off' } }))).toBe(true)
      expect(await bumps(() => catalog.deleteEndpoint({ id: e.id }))).toBe(true)
    })

    it('expansion plans from memory only at the version the store reads, else from the tables', async () => {
      if (!store.catalog.configVersion) return
      await store.catalog.upsertCollection({ collection: collection() })
      const e = endpoint()
      await store.catalog.insertEndpoint({ endpoint: e })
      const version = await store.catalog.configVersion()
      const seen: number[] = []
      // A snapshot without the endpoint at the current version: the store must take it as it is.
      const current = new RoutingSnapshot(version, [collection()], [], [])
      await store.queue.enqueue({ messages: [message({ id: 'm-memory' })], idempotencySince: 0 })
      const planner = createPlanner({ routing: current, onVersion: (v) => seen.push(v) })
      await store.queue.expand({ limit: 10, now: T0, planner })
      expect(seen).toEqual([version])
      expect(await store.queue.listDeliveries({ messageId: 'm-memory' })).toEqual([])
      // The same snapshot one version behind: the store reads the endpoint from the tables.
      await store.catalog.updateEndpoint({ endpoint: { ...e, description: 'changed' } })
      await store.queue.enqueue({ messages: [message({ id: 'm-tables' })], idempotencySince: 0 })
      await store.queue.expand({ limit: 10, now: T0, planner })
      expect((await store.queue.listDeliveries({ messageId: 'm-tables' })).map((d) => d.endpointId)).toEqual([e.id])
    })
  })

  describe(`${target.name}: a running dispatcher sees admin changes`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver
    let outbox: Outbox

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
      ;({ outbox } = testOutbox(store))
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
    })
    afterEach(async () => {
      await outbox.close()
      await receiver.close()
      await cleanup()
    })

    it('an endpoint disabled, a tenant disabled or an endpoint added while it runs is routed accordingly', async () => {
      const a = await outbox.endpoints.create({ tenant: 'acme', collection: 'events', url: `${receiver.url}/a` })
      await outbox.endpoints.create({ tenant: 'globex', collection: 'events', url: `${receiver.url}/g` })
      outbox.start()
      const send = async (tenant: string, n: number) => {
        await outbox.notify({ tenant, type: 'entity.changed', payload: { n } })
      }
      await send('acme', 1)
      await eventually(() => receiver.to('/a').length === 1)
      await outbox.endpoints.disable(a.id)
      await outbox.endpoints.create({ tenant: 'acme', collection: 'events', url: `${receiver.url}/b` })
      await send('acme', 2)
      await eventually(() => receiver.to('/b').length === 1)
      await outbox.tenants.disable('globex')
      await send('globex', 3)
      await send('acme', 4)
      await eventually(() => receiver.to('/b').length === 2)
      expect(receiver.to('/a')).toHaveLength(1)
      expect(receiver.to('/g')).toHaveLength(0)
      expect(await outbox.deliveries.list({ tenant: 'globex', state: 'pending' })).toHaveLength(1)
    })
  })
}
