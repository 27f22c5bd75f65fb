import Database from 'better-sqlite3'
import { z } from 'zod'
import { createOutbox, defineEvents, InvalidPayloadError } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'

export const events = defineEvents({
  'entity.state_changed': {
    schema: z.object({ entityId: z.string(), to: z.enum(['PASS', 'FAIL']) }), // any Standard Schema: zod, valibot, arktype…
    description: 'An entity moved to a new state.',
    example: { entityId: 'e1', to: 'PASS' },
  },
  'entity.deleted': { description: 'An entity was removed (no schema: any payload).' },
})
export const outbox = createOutbox({ store: sqliteStore({ database: new Database(':memory:') }), events })
await outbox.migrate()
await outbox.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', to: 'PASS' } })
// @ts-expect-error 'MAYBE' is not a state: a wrong payload does not compile…
export const refused = await outbox.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', to: 'MAYBE' } }).catch((e) => e)
console.log(refused instanceof InvalidPayloadError) // true: …and refused at run time (code INVALID_PAYLOAD), nothing written
export const catalog = outbox.eventTypes() // [{ type, description, example, validated }, …] for your portal
