import { describe, expect, it } from 'vitest'
import { EndpointNameTakenError, policies, ValidationError, type Outbox } from '../index.js'
import type { TestReceiver } from './receiver.js'
import { eachOutbox } from './set-up.js'
import type { ConformanceTarget } from './target.js'

/** Endpoint names and `endpoints.upsert` (issue 17): repeatable set-up, keyed by (tenant, name). */
export function describeEndpointNames(target: ConformanceTarget): void {
  describe(`${target.name}: endpoint names and upsert`, () => {
    let receiver: TestReceiver
    let outbox: Outbox
    eachOutbox(target, {}, async (set) => {
      ;({ receiver, outbox } = set)
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      await outbox.collections.upsert({ name: 'other', policy: policies.fixed() })
    })

    it('creates, then updates the same (tenant, name) instead of adding a second endpoint', async () => {
      const first = await outbox.endpoints.upsert({ name: 'billing', collection: 'events', url: `${receiver.url}/v1` })
      expect(first).toMatchObject({ created: true, name: 'billing', tenant: null, url: `${receiver.url}/v1` })
      expect(first.secrets?.secret).toMatch(/^whsec_/)
      const again = await outbox.endpoints.upsert({ name: 'billing', collection: 'events', url: `${receiver.url}/v2`, description: 'v2' })
      expect(again).toMatchObject({ created: false, id: first.id, url: `${receiver.url}/v2`, description: 'v2' })
      expect(again.secrets).toBeUndefined()
      expect((await outbox.endpoints.revealSecret(first.id)).secret).toBe(first.secrets!.secret)
      expect((await outbox.endpoints.list()).map((e) => [e.id, e.name])).toEqual([[first.id, 'billing']])
      await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
      await outbox.drain()
      expect(receiver.requests.map((r) => r.path)).toEqual(['/v2'])
    })

    it('keeps names per tenant: the same name in two tenants and the platform is three endpoints', async () => {
      const url = `${receiver.url}/hook`
      const platform = await outbox.endpoints.upsert({ name: 'primary', collection: 'events', url })
      const acme = await outbox.endpoints.upsert({ tenant: 'acme', name: 'primary', collection: 'events', url })
      const globex = await outbox.endpoints.upsert({ tenant: 'globex', name: 'primary', collection: 'events', url })
      expect(new Set([platform.id, acme.id, globex.id]).size).toBe(3)
      const updated = await outbox.endpoints.upsert({ tenant: 'acme', name: 'primary', collection: 'events', url, description: 'acme' })
      expect(updated).toMatchObject({ id: acme.id, created: false, tenant: 'acme' })
      const described = new Map((await outbox.endpoints.list()).map((e) => [e.tenant, e.description]))
      expect(described).toEqual(
        new Map<string | null, string | null>([
          [null, null],
          ['acme', 'acme'],
          ['globex', null],
        ]),
      )
    })

    it('refuses a name taken in the tenant on create and on rename; unnamed endpoints stay unlimited', async () => {
      const url = `${receiver.url}/hook`
      await outbox.endpoints.create({ name: 'a', collection: 'events', url })
      const b = await outbox.endpoints.create({ name: 'b', collection: 'events', url })
      const taken = await outbox.endpoints.create({ name: 'a', collection: 'events', url }).catch((e: unknown) => e)
      expect(taken).toBeInstanceOf(EndpointNameTakenError)
      expect(taken).toMatchObject({ code: 'ENDPOINT_NAME_TAKEN', endpointName: 'a', tenant: null })
      await expect(outbox.endpoints.update(b.id, { name: 'a' })).rejects.toBeInstanceOf(EndpointNameTakenError)
      expect((await outbox.endpoints.update(b.id, { name: 'c' })).name).toBe('c')
      expect((await outbox.endpoints.update(b.id, { name: 'c' })).name).toBe('c')
      expect((await outbox.endpoints.update(b.id, { name: null })).name).toBeNull()
      await outbox.endpoints.create({ collection: 'events', url })
      await outbox.endpoints.create({ collection: 'events', url })
      await outbox.endpoints.create({ tenant: 'acme', name: 'a', collection: 'events', url })
      expect(await outbox.endpoints.list()).toHaveLength(5)
    })

    it('refuses bad upsert input before writing anything', async () => {
      const url = `${receiver.url}/hook`
      await expect(outbox.endpoints.upsert({ collection: 'events', url } as never)).rejects.toThrow(/needs a name/)
      await expect(outbox.endpoints.upsert({ name: 'has space', collection: 'events', url })).rejects.toBeInstanceOf(ValidationError)
      await expect(outbox.endpoints.upsert({ name: 'x', tenant: 'bad tenant', collection: 'events', url })).rejects.toBeInstanceOf(
        ValidationError,
      )
      await expect(outbox.endpoints.upsert({ name: 'x', collection: 'events', url: 'ftp://x' })).rejects.toBeInstanceOf(ValidationError)
      expect(await outbox.endpoints.list()).toEqual([])
      await outbox.endpoints.upsert({ name: 'x', collection: 'events', url })
      await expect(outbox.endpoints.upsert({ name: 'x', collection: 'other', url })).rejects.toThrow(/is in collection "events"/)
      expect((await outbox.endpoints.list()).map((e) => e.collection)).toEqual(['events'])
    })

    it('concurrent upserts of one name leave one endpoint', async () => {
      const url = `${receiver.url}/hook`
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => outbox.endpoints.upsert({ name: 'race', collection: 'events', url, description: `d${i}` })),
      )
      expect(new Set(results.map((r) => r.id)).size).toBe(1)
      expect(results.filter((r) => r.created)).toHaveLength(1)
      expect(await outbox.endpoints.list()).toHaveLength(1)
    })
  })
}
