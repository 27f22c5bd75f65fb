import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidTransactionError, type Outbox, type Store } from '../index.js'
import { TestReceiver } from './receiver.js'
import { testOutbox } from './test-outbox.js'
import { isPromiseLike } from '../transaction/maybe-async.js'

/** One way of joining the host's transaction (an ORM on one driver); `Tx` is its transaction handle. */
export interface HostTransactionCase<Tx = any> {
  name: string
  /**
   * Runs `body` in one ORM transaction, committed when it returns and rolled back when it
   * throws (rethrowing). `body` stays synchronous while the ORM and `notify` are (better-sqlite3).
   */
  transaction(body: (tx: Tx) => unknown): unknown
  /** Writes the host row `label` inside `tx`, with the ORM. */
  insert(tx: Tx, label: string): unknown
  /** The `transaction` to hand to `notify` for `tx` (default `tx` itself), e.g. `fromDrizzle(tx, sql)`. */
  handle?(tx: Tx): unknown
  /** Handles of this ORM that are not inside an open transaction: `notify` through each must be refused. */
  refused?: Array<{ name: string; open(): Promise<{ handle: unknown; release(): Promise<void> }> }>
}

/** A store and the host table beside it, shared by every case of one test file. */
export interface HostTransactionSuite {
  name: string
  /** The store, migrated by the suite, and what removes it (and the host table) afterwards. */
  makeStore(): Promise<{ store: Store; cleanup(): Promise<void> }>
  /** The labels of the host rows that exist now. */
  hostLabels(): Promise<string[]>
  cases: HostTransactionCase[]
}

/**
 * For each case: a `notify` and a `results.put` in a committed host transaction are delivered
 * and kept with the host's row; in a rolled-back one, neither they nor the row remain; each
 * refused handle fails with {@link InvalidTransactionError}, writing and sending nothing.
 */
export function describeHostTransactions(suite: HostTransactionSuite): void {
  describe(`${suite.name}: notify inside the host's ORM transaction`, () => {
    let receiver: TestReceiver
    let outbox: Outbox
    let cleanup: () => Promise<void>

    beforeAll(async () => {
      const made = await suite.makeStore()
      cleanup = made.cleanup
      receiver = await TestReceiver.start()
      ;({ outbox } = testOutbox(made.store))
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events' })
      await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    })
    afterAll(async () => {
      await outbox?.close()
      await receiver?.close()
      await cleanup?.()
    })

    const labelsSent = () => receiver.requests.map((r) => (JSON.parse(r.body) as { label: string }).label)
    const notify = (label: string, transaction: unknown) =>
      outbox.notify({ type: 'entity.changed', payload: { label } }, { transaction: transaction as never })

    for (const c of suite.cases) {
      const key = c.name.replace(/\W+/g, '-')
      it(`${c.name}: committed is delivered, rolled back is not`, async () => {
        const rollback = new Error('the host rolls back')
        const ids: string[] = []
        const run = async (label: string, end: 'commit' | 'rollback') => {
          const body = (tx: unknown) => {
            const transaction = c.handle ? c.handle(tx) : tx
            return step(c.insert(tx, label), () =>
              step(notify(label, transaction), (r) => {
                ids.push(r.messageId)
                return step(outbox.results.put(label, { status: 200, body: { label } }, { transaction: transaction as never }), () => {
                  if (end === 'rollback') throw rollback
                })
              }),
            )
          }
          await Promise.resolve()
            .then(() => c.transaction(body))
            .catch((error: unknown) => {
              if (end !== 'rollback' || error !== rollback) throw error
            })
        }
        await run(`${key}-commit`, 'commit')
        await run(`${key}-rollback`, 'rollback')
        await outbox.drain()
        expect(labelsSent().filter((l) => l.startsWith(`${key}-`))).toEqual([`${key}-commit`])
        expect(receiver.requests.find((r) => r.body.includes(`${key}-commit`))!.headers['webhook-id']).toBe(ids[0])
        expect((await suite.hostLabels()).filter((l) => l.startsWith(`${key}-`))).toEqual([`${key}-commit`])
        expect(await outbox.results.get(`${key}-commit`)).toMatchObject({ status: 200, body: { label: `${key}-commit` } })
        expect(await outbox.results.get(`${key}-rollback`)).toBeUndefined()
      })

      for (const refused of c.refused ?? [])
        it(`${c.name}: refuses ${refused.name}, writing nothing`, async () => {
          const label = `${key}-refused-${refused.name.replace(/\W+/g, '-')}`
          const before = (await outbox.deliveries.list()).length
          const { handle, release } = await refused.open()
          try {
            await expect((async () => notify(label, handle))()).rejects.toThrow(InvalidTransactionError)
            await expect(
              (async () => outbox.results.put(label, { status: 200, body: {} }, { transaction: handle as never }))(),
            ).rejects.toThrow(InvalidTransactionError)
          } finally {
            await release()
          }
          await outbox.drain()
          expect(labelsSent()).not.toContain(label)
          expect((await outbox.deliveries.list()).length).toBe(before)
          expect(await outbox.results.get(label)).toBeUndefined()
        })
    }
  })
}

/** Continues at once after a plain value, or after a thenable settles (ORM query builders are thenables, not promises). */
function step<T, R>(value: T | PromiseLike<T>, next: (value: T) => R): R | Promise<R> {
  return isPromiseLike(value) ? (Promise.resolve(value).then(next) as Promise<R>) : next(value)
}
