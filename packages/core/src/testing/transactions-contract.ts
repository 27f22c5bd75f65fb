import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidTransactionError, type Outbox, type Store } from '../index.js'
import { TestReceiver } from './receiver.js'
import type { ConformanceTarget } from './target.js'
import { testOutbox } from './test-outbox.js'

/** Each driver handle outside a transaction is refused: typed error, nothing written, nothing sent. */
export function describeTransactionRefusals(target: ConformanceTarget): void {
  const handles = target.refusedHandles ?? []
  if (handles.length === 0) return
  describe(`${target.name}: handles outside a transaction`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let receiver: TestReceiver
    let outbox: Outbox

    beforeEach(async () => {
      ;({ store, cleanup } = await target.makeStore())
      receiver = await TestReceiver.start()
      ;({ outbox } = testOutbox(store))
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    })
    afterEach(async () => {
      await outbox.close()
      await receiver.close()
      await cleanup()
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
