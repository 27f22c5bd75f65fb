import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { sqliteStore } from '@hookbox/store-sqlite'
import { TestReceiver } from '@hookbox/core/testing'
import {
  createOutbox,
  defineEvents,
  InvalidPayloadError,
  ManualClock,
  policies,
  ValidationError,
  type EventCatalog,
  type OutboxOptions,
} from '../../src/index.js'

const events = defineEvents({
  'entity.state_changed': {
    schema: z.object({ entityId: z.string(), from: z.string(), to: z.string(), reason: z.string().default('manual') }),
    description: 'An entity moved from one state to another.',
    example: { entityId: 'e1', from: 'FAIL', to: 'PASS' },
  },
  'entity.deleted': { description: 'An entity was removed.' },
  'entity.checked': {
    // Asks a (real, asynchronous) look-up before accepting the payload.
    schema: z.object({ entityId: z.string() }).refine(async (v) => (await Promise.resolve(v.entityId)).startsWith('e'), 'unknown entity'),
  },
})

describe('event catalog', () => {
  let db: Database.Database
  let receiver: TestReceiver
  const open: { close(): Promise<void> }[] = []
  beforeEach(async () => {
    db = new Database(':memory:')
    receiver = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close()
    await receiver.close()
  })
  const outboxWith = async <C extends EventCatalog>(options: Partial<OutboxOptions<C>>) => {
    const outbox = createOutbox<C>({
      store: sqliteStore({ database: db }),
      clock: new ManualClock(Date.now()),
      development: true,
      ...options,
    })
    open.push(outbox)
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    return outbox
  }
  const messageCount = () => (db.prepare('SELECT count(*) AS n FROM hookbox_messages').get() as { n: number }).n

  it('sends the schema output of a valid payload (defaults applied, unknown keys stripped)', async () => {
    const outbox = await outboxWith({ events })
    await outbox.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', from: 'FAIL', to: 'PASS', extra: 1 } as never })
    await outbox.drain()
    expect(receiver.requests.map((r) => JSON.parse(r.body))).toEqual([{ entityId: 'e1', from: 'FAIL', to: 'PASS', reason: 'manual' }])
  })

  it('refuses an invalid payload with InvalidPayloadError and writes nothing, in notify and notifyMany', async () => {
    const outbox = await outboxWith({ events })
    const bad = { type: 'entity.state_changed' as const, payload: { entityId: 7, from: 'FAIL' } as never }
    const error = await outbox.notify(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidPayloadError)
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD', type: 'entity.state_changed' })
    expect((error as InvalidPayloadError).issues.map((i) => i.path)).toEqual([['entityId'], ['to']])
    expect((error as Error).message).toMatch(/^payload of "entity.state_changed" does not match its schema: entityId: .+; to: .+/)
    const good = { type: 'entity.state_changed' as const, payload: { entityId: 'e1', from: 'FAIL', to: 'PASS' } }
    await expect(outbox.notifyMany([good, bad])).rejects.toBeInstanceOf(InvalidPayloadError)
    // Through a synchronous transaction the refusal is a throw, and the transaction rolls back.
    expect(() => db.transaction(() => outbox.notifyMany([good, bad], { transaction: db }))()).toThrow(InvalidPayloadError)
    expect(messageCount()).toBe(0)
  })

  it('accepts only catalogued types; a type without a schema takes any payload', async () => {
    const outbox = await outboxWith({ events })
    await expect(outbox.notify({ type: 'entity.created' as never, payload: {} })).rejects.toMatchObject({ code: 'UNKNOWN_EVENT_TYPE' })
    await outbox.notify({ type: 'entity.deleted', payload: 'anything' })
    expect(messageCount()).toBe(1)
  })

  it('waits for an asynchronous schema, and refuses one inside a synchronous transaction', async () => {
    const outbox = await outboxWith({ events })
    await outbox.notify({ type: 'entity.checked', payload: { entityId: 'e1' } })
    await expect(outbox.notify({ type: 'entity.checked', payload: { entityId: 'x1' } })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
      issues: [{ message: 'unknown entity', path: [] }],
    })
    expect(() =>
      db.transaction(() => outbox.notify({ type: 'entity.checked', payload: { entityId: 'e2' } }, { transaction: db }))(),
    ).toThrow(/validates asynchronously/)
    expect(messageCount()).toBe(1)
  })

  it('lists the catalog with descriptions and examples; eventTypes names list alike', async () => {
    const outbox = await outboxWith({ events })
    expect(outbox.eventTypes()).toEqual([
      {
        type: 'entity.state_changed',
        description: 'An entity moved from one state to another.',
        example: { entityId: 'e1', from: 'FAIL', to: 'PASS' },
        validated: true,
      },
      { type: 'entity.deleted', description: 'An entity was removed.', validated: false },
      { type: 'entity.checked', description: null, validated: true },
    ])
    outbox.eventTypes()[0]!.example = 'changed by a caller'
    expect(outbox.eventTypes()[0]!.example).toEqual({ entityId: 'e1', from: 'FAIL', to: 'PASS' })
    const named = await outboxWith({ eventTypes: ['a.b', 'c.d'] })
    expect(named.eventTypes()).toEqual([
      { type: 'a.b', description: null, validated: false },
      { type: 'c.d', description: null, validated: false },
    ])
    await expect(named.notify({ type: 'x.y', payload: 1 })).rejects.toMatchObject({ code: 'UNKNOWN_EVENT_TYPE' })
    const loose = await outboxWith({})
    expect(loose.eventTypes()).toEqual([])
    await loose.notify({ type: 'x.y', payload: 1 })
  })

  it('refuses a malformed catalog when the outbox is created', () => {
    const store = sqliteStore({ database: db })
    const make = (options: Partial<OutboxOptions>) => () => createOutbox({ store, ...options })
    expect(make({ events, eventTypes: ['a.b'] })).toThrow(/either events .* or eventTypes/)
    expect(make({ events: { 'not a type': {} } })).toThrow(ValidationError)
    expect(make({ events: { 'a.b': { schema: { parse: () => 1 } as never } } })).toThrow(/Standard Schema/)
    expect(make({ events: { 'a.b': { description: 3 as never } } })).toThrow(/description must be a string/)
    expect(make({ events: [] as never })).toThrow(/catalog object/)
  })
})
