import type { Store } from '../../src/index.js'

/** A store under test: each call gives a fresh, isolated store (own file, schema or database). */
export interface ConformanceTarget {
  name: string
  makeStore(): Promise<{ store: Store; cleanup(): Promise<void> }>
}
