import { describe, expect, it } from 'vitest'
import { InvalidTransactionError, type Outbox, type Store } from '../index.js'
import type { TestReceiver } from './receiver.js'
import { eachOutbox } from './set-up.js'
import type { ConformanceTarget } from './target.js'

/** Each driver handle outside a transaction is refused: typed error, nothing written, nothing sent. */
export function describeTransactionRefusals(target: ConformanceTarget): void {
  const handles = target.refusedHandles ?? []
  if (handles.length === 0) return
  describe(`${target.name}: handles outside a transaction`, () => {
    let store: Store
    let receiver: TestReceiver
    let outbox: Outbox
    eachOutbox(target, {}, async (set) => {
      ;({ store, receiver, outbox } = set)
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    })

    for (const { name, open } of handles)
      it(`refuses ${name}`, async () => {
        const { handle, release } = await open(store)
        const attempt = async (write: () => unknown) => {
          try {
            await write()
          } catch (error) {
            return error
          }
          return undefined
        }
        try {
          expect(
            await attempt(() => outbox.notify({ type: 'entity.changed', payload: {} }, { transaction: handle as never })),
          ).toBeInstanceOf(InvalidTransactionError)
          expect(
            await attempt(() => outbox.notifyMany([{ type: 'entity.changed', payload: {} }], { transaction: handle as never })),
          ).toBeInstanceOf(InvalidTransactionError)
          expect(
            await attempt(() => outbox.results.put('req-1', { status: 200, body: {} }, { transaction: handle as never })),
          ).toBeInstanceOf(InvalidTransactionError)
        } finally {
          await release()
        }
        await outbox.drain()
        expect(receiver.requests).toHaveLength(0)
        expect(await store.housekeeping.stats({ now: Date.now() })).toMatchObject({ unexpandedMessages: 0, pending: 0 })
        expect(await store.queue.listDeliveries({})).toEqual([])
        expect(await outbox.results.get('req-1')).toBeUndefined()
      })
  })
}
