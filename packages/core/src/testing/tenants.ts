import { describe, expect, it } from 'vitest'
import { NotFoundError, policies, TenantChangeError, ValidationError, type ManualClock, type Outbox, type OutboxEvent } from '../index.js'
import type { TestReceiver } from './receiver.js'
import { eachOutbox } from './set-up.js'
import type { ConformanceTarget } from './target.js'

const TENANTS = ['acme', 'globex', 'initech'] as const
/** Each tenant's endpoints in the `majority` collection: the majority is counted over these only. */
const RISK_ENDPOINTS: Record<string, number> = { acme: 3, globex: 2, initech: 1 }

/** A small seeded generator, so a failing mix can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Drains, advancing the clock a second between passes, until nothing is pending. */
async function settleAll(outbox: Outbox, clock: ManualClock, rounds = 200): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await outbox.drain()
    if ((await outbox.deliveries.list({ state: 'pending', limit: 1 })).length === 0) return
    clock.advance(1000)
  }
}

/** Tenants (issue 13): nothing crosses tenants, on top of a store. */
export function describeTenants(target: ConformanceTarget): void {
  describe(`${target.name}: tenants`, () => {
    let receiver: TestReceiver
    let outbox: Outbox
    let clock: ManualClock
    eachOutbox(target, {}, (set) => void ({ receiver, outbox, clock } = set))

    it('a random mix of 3 tenants × 3 collections × 300 events reaches only its own tenant, majority and order per tenant', async () => {
      const random = seeded(13)
      let n = 0
      receiver.on('*', () => (++n % 4 === 0 ? 500 : 200)) // a flaky receiver: every fourth request fails
      const policy = policies.schedule(Array(40).fill(1000))
      await outbox.collections.upsert({ name: 'kyc', policy, failureMode: 'each' })
      await outbox.collections.upsert({ name: 'risk', policy, failureMode: 'majority', events: ['risk.*'] })
      await outbox.collections.upsert({ name: 'audit', policy, failureMode: 'each', events: ['audit.*'] })
      const owner = new Map<string, string | null>()
      const add = async (tenant: string | null, collection: string, i: number) => {
        const e = await outbox.endpoints.create({
          ...(tenant !== null && { tenant }),
          collection,
          url: `${receiver.url}/${tenant ?? 'platform'}/${collection}/${i}`,
          auth: { type: 'none' },
        })
        owner.set(e.id, tenant)
      }
      await add(null, 'kyc', 0) // the platform's own endpoint: it must get no tenant's event
      for (const tenant of TENANTS) {
        await add(tenant, 'kyc', 0)
        await add(tenant, 'audit', 0)
        for (let i = 0; i < RISK_ENDPOINTS[tenant]!; i++) await add(tenant, 'risk', i)
      }
      const types = ['kyc.completed', 'risk.flagged', 'audit.logged']
      const events: OutboxEvent[] = []
      for (let seq = 0; seq < 300; seq++) {
        const tenant = TENANTS[Math.floor(random() * 3)]!
        const key = random() < 0.5 ? `k${Math.floor(random() * 4)}` : undefined
        events.push({
          tenant,
          type: types[Math.floor(random() * 3)]!,
          payload: { tenant, seq, key: key ?? null },
          requestId: `req-${seq % 50}`, // the same request ids in every tenant
          ...(key && { orderingKey: key }), // the same ordering keys in every tenant
        })
      }
      const written = await outbox.notifyMany(events)
      expect(written.every((r) => !r.duplicate)).toBe(true)
      await settleAll(outbox, clock)
      expect(await outbox.deliveries.list({ state: 'pending', limit: 1 })).toEqual([])

      const byPath = new Map<string, Array<{ seq: number; key: string | null }>>()
      for (const r of receiver.requests) {
        const body = JSON.parse(r.body) as { tenant: string; seq: number; key: string | null }
        // Every request belongs to an endpoint of the event's own tenant.
        expect(r.path.split('/')[1]).toBe(body.tenant)
        byPath.set(r.path, [...(byPath.get(r.path) ?? []), body])
      }
      expect(receiver.to('/platform/')).toEqual([])
      // Ordering per (tenant, key) at every endpoint: a later event is never attempted before an earlier one was acknowledged.
      for (const seen of byPath.values()) {
        const last = new Map<string, number>()
        for (const { seq, key } of seen) {
          if (key === null) continue
          expect(seq).toBeGreaterThanOrEqual(last.get(key) ?? -1)
          last.set(key, seq)
        }
      }
      for (const tenant of TENANTS) {
        const mine = events.filter((e) => e.tenant === tenant)
        const deliveries = []
        for (let after: string | undefined; ;) {
          const page = await outbox.deliveries.list({ tenant, limit: 1000, ...(after && { after }) })
          if (page.length === 0) break
          deliveries.push(...page)
          after = page.at(-1)!.id
        }
        const expected =
          mine.length + // kyc: every event
          mine.filter((e) => e.type.startsWith('audit.')).length // audit: one endpoint each
        const risk = deliveries.filter((d) => d.collection === 'risk')
        expect(risk).toHaveLength(mine.filter((e) => e.type.startsWith('risk.')).length)
        expect(deliveries).toHaveLength(expected + risk.length)
        for (const d of deliveries) {
          expect(d.tenant).toBe(tenant)
          expect(d.state).toBe('delivered')
          for (const id of d.targets) expect(owner.get(id)).toBe(tenant)
        }
        // The majority is counted over this tenant's own endpoints of the collection.
        for (const d of risk) expect(d.targets).toHaveLength(RISK_ENDPOINTS[tenant]!)
        // Request ids are the tenant's: the same id names only this tenant's deliveries.
        const byRequest = await outbox.deliveries.list({ tenant, requestId: 'req-7', limit: 1000 })
        expect(byRequest.every((d) => d.tenant === tenant)).toBe(true)
        const stats = await outbox.stats({ tenant })
        expect(stats).toMatchObject({ tenant, pending: 0, unexpandedMessages: 0 })
      }
    })

    it('a majority is more than half of the tenant’s enabled endpoints, whatever other tenants have', async () => {
      receiver.on('*', (r) => (r.path.includes('/down') ? 500 : 200))
      await outbox.collections.upsert({ name: 'risk', policy: policies.schedule([60_000]), failureMode: 'majority' })
      const url = (tenant: string, name: string) => `${receiver.url}/${tenant}/${name}`
      for (const name of ['a', 'b', 'down']) await outbox.endpoints.create({ tenant: 'acme', collection: 'risk', url: url('acme', name) })
      for (const name of ['a', 'down-1', 'down-2'])
        await outbox.endpoints.create({ tenant: 'globex', collection: 'risk', url: url('globex', name) })
      await outbox.endpoints.create({ tenant: 'initech', collection: 'risk', url: url('initech', 'x'), enabled: false })
      const unrouted: Array<string | null> = []
      outbox.on('unrouted', (e) => unrouted.push(e.tenant))
      for (const tenant of ['acme', 'globex', 'initech']) await outbox.notify({ tenant, type: 'risk.flagged', payload: { tenant } })
      await outbox.drain()
      const [acme] = await outbox.deliveries.list({ tenant: 'acme' })
      const [globex] = await outbox.deliveries.list({ tenant: 'globex' })
      expect(acme).toMatchObject({ state: 'delivered', tenant: 'acme' }) // 2 of 3
      expect(globex).toMatchObject({ state: 'pending', tenant: 'globex' }) // 2 of 3 failed: acme's successes do not count
      expect(acme!.targets).toHaveLength(3)
      expect(globex!.targets).toHaveLength(3)
      expect(unrouted).toEqual(['initech']) // its only endpoint is disabled: others' endpoints never stand in
    })

    it('idempotency keys, request ids and results are scoped per tenant', async () => {
      await outbox.collections.upsert({ name: 'events' })
      for (const tenant of ['acme', 'globex'])
        await outbox.endpoints.create({ tenant, collection: 'events', url: `${receiver.url}/${tenant}`, auth: { type: 'none' } })
      const a = await outbox.notify({ tenant: 'acme', type: 'check.completed', payload: 1, requestId: 'r-1', idempotencyKey: 'k' })
      const g = await outbox.notify({ tenant: 'globex', type: 'check.completed', payload: 2, requestId: 'r-1', idempotencyKey: 'k' })
      const p = await outbox.notify({ type: 'check.completed', payload: 3, requestId: 'r-1', idempotencyKey: 'k' })
      expect([a.duplicate, g.duplicate, p.duplicate]).toEqual([false, false, false])
      expect(new Set([a.messageId, g.messageId, p.messageId]).size).toBe(3)
      const again = await outbox.notify({ tenant: 'acme', type: 'check.completed', payload: 4, idempotencyKey: 'k' })
      expect(again).toEqual({ ...a, duplicate: true })
      const [many1, many2] = await outbox.notifyMany([
        { tenant: 'globex', type: 'check.completed', payload: 5, idempotencyKey: 'k' },
        { tenant: 'initech', type: 'check.completed', payload: 6, idempotencyKey: 'k' },
      ])
      expect(many1).toEqual({ ...g, duplicate: true })
      expect(many2!.duplicate).toBe(false)
      await outbox.drain()
      expect(receiver.to('/acme').map((r) => r.body)).toEqual(['1'])
      expect(receiver.to('/globex').map((r) => r.body)).toEqual(['2'])
      const acmeDeliveries = await outbox.deliveries.byRequestId('r-1', { tenant: 'acme' })
      expect(acmeDeliveries.map((d) => d.message.payload)).toEqual(['1'])

      await outbox.results.put('r-1', { status: 200, body: 'for acme' }, { tenant: 'acme' })
      await outbox.results.put('r-1', { status: 201, body: 'for globex' }, { tenant: 'globex' })
      expect((await outbox.results.get('r-1', { tenant: 'acme' }))?.body).toBe('for acme')
      expect((await outbox.results.get('r-1', { tenant: 'globex' }))?.body).toBe('for globex')
      expect(await outbox.results.get('r-1')).toBeUndefined()
      expect(await outbox.results.get('r-1', { tenant: 'initech' })).toBeUndefined()
      await outbox.results.put('r-1', { status: 202, body: 'platform' })
      expect((await outbox.results.get('r-1'))?.body).toBe('platform')
      expect((await outbox.results.get('r-1', { tenant: 'acme' }))?.body).toBe('for acme')
    })

    it('a disabled tenant is sent nothing: what it is owed waits, goes out once enabled, and ends at its deadline', async () => {
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule([1000, 1000]) })
      for (const tenant of ['acme', 'globex'])
        await outbox.endpoints.create({ tenant, collection: 'events', url: `${receiver.url}/${tenant}`, auth: { type: 'none' } })
      expect(await outbox.tenants.disable('acme', { reason: 'unpaid' })).toMatchObject({
        tenant: 'acme',
        enabled: false,
        disabledReason: 'unpaid',
      })
      await outbox.notify({ tenant: 'acme', type: 'a.b', payload: 'held' })
      await outbox.notify({ tenant: 'globex', type: 'a.b', payload: 'sent' })
      await outbox.drain()
      clock.advance(500)
      await outbox.drain()
      expect(receiver.to('/acme')).toEqual([])
      expect(receiver.to('/globex')).toHaveLength(1)
      expect(await outbox.stats({ tenant: 'acme' })).toMatchObject({ pending: 1, waitingOnDisabled: 1 })
      expect(await outbox.stats({ tenant: 'globex' })).toMatchObject({ pending: 0, waitingOnDisabled: 0 })
      expect(await outbox.tenants.enable('acme')).toMatchObject({ enabled: true, disabledReason: null })
      await outbox.drain()
      expect(receiver.to('/acme').map((r) => r.body)).toEqual(['"held"'])
      expect((await outbox.tenants.list()).map((t) => t.tenant)).toEqual(['acme', 'globex'])

      await outbox.tenants.disable('acme')
      await outbox.notify({ tenant: 'acme', type: 'a.b', payload: 'never' })
      await outbox.drain()
      clock.advance(60 * 60 * 1000) // past the policy's end
      await outbox.drain()
      await outbox.drain()
      expect(receiver.to('/acme')).toHaveLength(1)
      const held = (await outbox.deliveries.list({ tenant: 'acme' })).filter((d) => d.state !== 'delivered')
      expect(held).toHaveLength(1)
      expect(held[0]!.state).not.toBe('pending')
      expect(held[0]!.lastError).toMatch(/^tenant is disabled/)
    })

    it('tenants.purge removes everything of that tenant and nothing of the others', async () => {
      receiver.on('/acme/down', 500)
      await outbox.collections.upsert({ name: 'events', policy: policies.schedule([]) })
      for (const tenant of ['acme', 'globex']) {
        await outbox.endpoints.create({ tenant, collection: 'events', url: `${receiver.url}/${tenant}`, auth: { type: 'none' } })
        await outbox.notify({ tenant, type: 'a.b', payload: tenant, requestId: 'r', idempotencyKey: 'k' })
        await outbox.results.put('r', { status: 200, body: tenant }, { tenant })
      }
      await outbox.endpoints.create({ tenant: 'acme', collection: 'events', url: `${receiver.url}/acme/down`, auth: { type: 'none' } })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/platform`, auth: { type: 'none' } })
      await outbox.notify({ type: 'a.b', payload: 'platform', requestId: 'r' })
      await outbox.notify({ tenant: 'acme', type: 'a.b', payload: 'acme again' })
      await outbox.drain()
      expect(await outbox.deadLetters.list({ tenant: 'acme' })).toHaveLength(2)
      const before = await outbox.deliveries.list({ tenant: 'globex' })

      const counts = await outbox.tenants.purge('acme')
      expect(counts).toEqual({ endpoints: 2, messages: 2, deliveries: 4, attempts: 4, results: 1 })
      expect(await outbox.endpoints.list({ tenant: 'acme' })).toEqual([])
      expect(await outbox.deliveries.list({ tenant: 'acme' })).toEqual([])
      expect(await outbox.results.get('r', { tenant: 'acme' })).toBeUndefined()
      await expect(outbox.tenants.get('acme')).rejects.toBeInstanceOf(NotFoundError)
      expect(await outbox.stats({ tenant: 'acme' })).toMatchObject({ pending: 0, dead: 0, unexpandedMessages: 0 })
      // Its idempotency key went with it.
      expect((await outbox.notify({ tenant: 'acme', type: 'a.b', payload: 1, idempotencyKey: 'k' })).duplicate).toBe(false)

      expect(await outbox.deliveries.list({ tenant: 'globex' })).toEqual(before)
      expect((await outbox.deliveries.get(before[0]!.id)).attemptLog).toHaveLength(1)
      expect(await outbox.endpoints.list({ tenant: 'globex' })).toHaveLength(1)
      expect(await outbox.endpoints.list({ tenant: null })).toHaveLength(1)
      expect((await outbox.results.get('r', { tenant: 'globex' }))?.body).toBe('globex')
      expect(await outbox.deliveries.list({ tenant: null })).toHaveLength(1)
      expect((await outbox.notify({ tenant: 'globex', type: 'a.b', payload: 2, idempotencyKey: 'k' })).duplicate).toBe(true)
      expect((await outbox.tenants.get('globex')).enabled).toBe(true)
    })

    it('bad input: a malformed tenant, a tenant change, another tenant’s ids: typed errors or not found, nothing written', async () => {
      await outbox.collections.upsert({ name: 'events' })
      for (const tenant of ['', 'has space', 'a/b', 42, 'x'.repeat(129)]) {
        await expect(outbox.notify({ tenant: tenant as string, type: 'a.b', payload: 1 })).rejects.toBeInstanceOf(ValidationError)
        await expect(
          outbox.endpoints.create({ tenant: tenant as string, collection: 'events', url: `${receiver.url}/x` }),
        ).rejects.toBeInstanceOf(ValidationError)
        await expect(outbox.tenants.disable(tenant as string)).rejects.toBeInstanceOf(ValidationError)
        await expect(outbox.endpoints.list({ tenant: tenant as string })).rejects.toBeInstanceOf(ValidationError)
      }
      await expect(
        outbox.notifyMany([
          { tenant: 'acme', type: 'a.b', payload: 1 },
          { tenant: 'no good', type: 'a.b', payload: 2 },
        ]),
      ).rejects.toBeInstanceOf(ValidationError)
      expect(await outbox.stats()).toMatchObject({ unexpandedMessages: 0 })
      expect(await outbox.endpoints.list()).toEqual([])
      expect(await outbox.tenants.list()).toEqual([])

      const e = await outbox.endpoints.create({ tenant: 'acme', collection: 'events', url: `${receiver.url}/acme` })
      const change = outbox.endpoints.update(e.id, { tenant: 'globex', description: 'moved' })
      await expect(change).rejects.toBeInstanceOf(TenantChangeError)
      await expect(change).rejects.toMatchObject({ code: 'TENANT_CHANGE' })
      await expect(outbox.endpoints.update(e.id, { tenant: null })).rejects.toBeInstanceOf(TenantChangeError)
      expect(await outbox.endpoints.update(e.id, { tenant: 'acme', description: 'same tenant' })).toMatchObject({
        tenant: 'acme',
        description: 'same tenant',
      })
      for (const scope of [{ tenant: 'globex' }, { tenant: null }]) {
        await expect(outbox.endpoints.get(e.id, scope)).rejects.toBeInstanceOf(NotFoundError)
        await expect(outbox.endpoints.update(e.id, { description: 'hijacked' }, scope)).rejects.toBeInstanceOf(NotFoundError)
        await expect(outbox.endpoints.disable(e.id, 'no', scope)).rejects.toBeInstanceOf(NotFoundError)
        await expect(outbox.endpoints.delete(e.id, scope)).rejects.toBeInstanceOf(NotFoundError)
        await expect(outbox.endpoints.revealSecret(e.id, scope)).rejects.toBeInstanceOf(NotFoundError)
      }
      expect(await outbox.endpoints.get(e.id, { tenant: 'acme' })).toMatchObject({
        tenant: 'acme',
        enabled: true,
        description: 'same tenant',
      })

      await outbox.notify({ tenant: 'acme', type: 'a.b', payload: 1, requestId: 'r-9' })
      await outbox.drain()
      const [d] = await outbox.deliveries.list({ tenant: 'acme' })
      await expect(outbox.deliveries.get(d!.id, { tenant: 'globex' })).rejects.toBeInstanceOf(NotFoundError)
      expect(await outbox.deliveries.list({ tenant: 'globex' })).toEqual([])
      expect(await outbox.deliveries.byRequestId('r-9', { tenant: 'globex' })).toEqual([])
      await outbox.results.put('r-9', { status: 200, body: 'secret' }, { tenant: 'acme' })
      expect(await outbox.results.get('r-9', { tenant: 'globex' })).toBeUndefined()
      expect(await outbox.results.get('r-9')).toBeUndefined()
      expect(() => outbox.results.put('r-9', { status: 200, body: 1 }, { tenant: 'bad tenant' })).toThrow(ValidationError)
    })
  })
}
