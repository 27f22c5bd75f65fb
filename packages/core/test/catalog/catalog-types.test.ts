import Database from 'better-sqlite3'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, defineEvents, type NotifyResult } from '../../src/index.js'

// Checked by `pnpm typecheck` (this file is in tsconfig.json): every `@ts-expect-error` line
// must fail to compile, or the type check fails. The notify calls sit in functions that never
// run, so only their types matter here.
const events = defineEvents({
  'entity.state_changed': {
    schema: z.object({ entityId: z.string(), to: z.enum(['PASS', 'FAIL']) }),
    description: 'An entity changed state.',
    example: { entityId: 'e1', to: 'PASS' },
  },
  'entity.deleted': { description: 'Without a schema the payload is unknown.' },
})

defineEvents({
  'entity.created': {
    schema: z.object({ entityId: z.string() }),
    // @ts-expect-error the example must match its own schema
    example: { entityId: 1 },
  },
})

const db = new Database(':memory:')
const typed = createOutbox({ store: sqliteStore({ database: db }), events })
const loose = createOutbox({ store: sqliteStore({ database: db }) })

function compileOnly() {
  void typed.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', to: 'PASS' } })
  void typed.notify({ type: 'entity.deleted', payload: 42, requestId: 'r1' })
  // @ts-expect-error a wrong payload for a catalogued type does not compile
  void typed.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', to: 'MAYBE' } })
  // @ts-expect-error a missing field does not compile
  void typed.notify({ type: 'entity.state_changed', payload: { to: 'PASS' } })
  // @ts-expect-error a type outside the catalog does not compile
  void typed.notify({ type: 'entity.unknown', payload: {} })
  void typed.notifyMany([
    { type: 'entity.deleted', payload: null },
    // @ts-expect-error notifyMany checks each event alike
    { type: 'entity.state_changed', payload: { entityId: 3, to: 'PASS' } },
  ])
  // Without a catalog, any type and payload compile, as before.
  void loose.notify({ type: 'anything.at_all', payload: { any: 'thing' } })
}

describe('event catalog types', () => {
  it('types notify by the catalog, and keeps the sync/async result', () => {
    expectTypeOf(compileOnly).toBeFunction()
    expectTypeOf(typed.notify<{ transaction: Database.Database }>).returns.toEqualTypeOf<NotifyResult>()
    expectTypeOf<Parameters<typeof typed.notify>[0]['type']>().toEqualTypeOf<'entity.state_changed' | 'entity.deleted'>()
    expectTypeOf<Parameters<typeof loose.notify>[0]['type']>().toEqualTypeOf<string>()
    expectTypeOf(typed.eventTypes()[0]!.description).toEqualTypeOf<string | null>()
  })
})
