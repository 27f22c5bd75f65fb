import type { Store } from '../index.js'

/** A host handle the store must refuse (not inside an open transaction), and how to let it go. */
export interface RefusedHandle {
  handle: unknown
  release(): Promise<void>
}

/** A store under test: each call gives a fresh, isolated store (own file, schema or database). */
export interface ConformanceTarget {
  name: string
  makeStore(): Promise<{ store: Store; cleanup(): Promise<void> }>
  /**
   * Handles of this store's drivers that are not inside an open transaction (a better-sqlite3
   * database outside `db.transaction()`, a kysely instance, an idle pg client, a pg pool…):
   * `notify` and `results.put` through each must fail with `InvalidTransactionError`, writing
   * and sending nothing. `open` receives the store `makeStore` just made.
   */
  refusedHandles?: Array<{ name: string; open(store: Store): Promise<RefusedHandle> }>
}
