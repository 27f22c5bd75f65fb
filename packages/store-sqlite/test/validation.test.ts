import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutbox, InvalidPolicyError, policies, type Outbox } from '@hookbox/core'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

describe('bad input gets a typed error and writes nothing', () => {
  let t: ReturnType<typeof tempDatabase>
  let outbox: Outbox
  beforeEach(async () => {
    t = tempDatabase()
    outbox = createOutbox({ store: sqliteStore({ database: t.db }) })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events' })
  })
  afterEach(async () => {
    await outbox.close()
    t.cleanup()
  })

  const count = (table: string) => (t.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n

  it('rejects bad endpoint URLs and unknown collections', async () => {
    for (const url of [
      'not a url',
      'ftp://example.com/x',
      'http://example.com/hook',
      'https://user:pw@example.com/',
      'https://example.com/#frag',
      '',
    ])
      await expect(outbox.endpoints.create({ collection: 'events', url })).rejects.toMatchObject({ code: 'INVALID_URL' })
    await expect(outbox.endpoints.create({ collection: 'nope', url: 'https://example.com/hook' })).rejects.toMatchObject({
      code: 'UNKNOWN_COLLECTION',
    })
    await expect(
      outbox.endpoints.create({ collection: 'events', url: 'https://example.com/hook', headers: { 'webhook-id': 'x' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(outbox.endpoints.create({ collection: 'events', url: 'https://example.com/hook', timeoutMs: -1 })).rejects.toMatchObject({
      code: 'VALIDATION',
    })
    expect(count('hookbox_endpoints')).toBe(0)
  })

  it('rejects invalid policy options at once', () => {
    expect(() => policies.fixed({ retries: -1 })).toThrow(InvalidPolicyError)
    expect(() => policies.fixed({ intervalMs: -5 })).toThrow(InvalidPolicyError)
    expect(() => policies.exponential({ factor: 0.5 })).toThrow(InvalidPolicyError)
    expect(() => policies.fireOnce({ timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => policies.schedule([1000, Number.NaN])).toThrow(InvalidPolicyError)
    expect(() => policies.exponential({ jitter: 2 })).toThrow(/jitter/)
  })

  it('rejects a bad collection without writing it', async () => {
    await expect(outbox.collections.upsert({ name: 'bad name!' })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(outbox.collections.upsert({ name: 'x', events: [] })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(outbox.collections.upsert({ name: 'x', failureMode: 'most' as never })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(outbox.collections.upsert({ name: 'x', policy: { ...policies.fixed(), maxAttempts: 0 } })).rejects.toMatchObject({
      code: 'INVALID_POLICY',
    })
    expect(count('hookbox_collections')).toBe(1)
  })

  it('rejects unknown event types when a list is configured', async () => {
    const strict = createOutbox({ store: sqliteStore({ database: t.db }), eventTypes: ['entity.changed'] })
    await expect(strict.notify({ type: 'entity.deleted', payload: {} })).rejects.toMatchObject({ code: 'UNKNOWN_EVENT_TYPE' })
    expect(count('hookbox_messages')).toBe(0)
  })
})
