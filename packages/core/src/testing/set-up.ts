import { afterEach, beforeEach } from 'vitest'
import type { ManualClock, Outbox, OutboxOptions, Store } from '../index.js'
import { TestReceiver } from './receiver.js'
import type { ConformanceTarget } from './target.js'
import { testOutbox } from './test-outbox.js'

/** Inside a `describe`: a fresh, migrated store of `target` for each test (given to `use`), closed after it. */
export function eachMigratedStore(target: ConformanceTarget, use: (store: Store) => void): void {
  let store: Store
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ store, cleanup } = await target.makeStore())
    await store.housekeeping.migrate()
    use(store)
  })
  afterEach(async () => {
    await store.close()
    await cleanup()
  })
}

/** What {@link eachOutbox} sets up for a test. */
export interface OutboxSetUp {
  /** The store under test. */
  store: Store
  /** A migrated outbox over it, on a manual clock. */
  outbox: Outbox
  /** The outbox's clock. */
  clock: ManualClock
  /** A real HTTP receiver on 127.0.0.1. */
  receiver: TestReceiver
}

/**
 * Inside a `describe`: for each test, a fresh store of `target`, a receiver and a migrated
 * outbox with `options`, given to `use` (which may set up more); all closed after the test.
 */
export function eachOutbox(
  target: ConformanceTarget,
  options: Partial<OutboxOptions>,
  use: (set: OutboxSetUp) => void | Promise<void>,
): void {
  let set: OutboxSetUp
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    let store: Store
    ;({ store, cleanup } = await target.makeStore())
    const receiver = await TestReceiver.start()
    set = { store, receiver, ...testOutbox(store, options) }
    await set.outbox.migrate()
    await use(set)
  })
  afterEach(async () => {
    await set.outbox.close()
    await set.receiver.close()
    await cleanup()
  })
}
