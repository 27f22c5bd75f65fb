import { randomFillSync } from 'node:crypto'
import { monotonicFactory } from 'ulid'

// ulid's default source asks the OS for randomness on every id; drawing from a pooled
// buffer of crypto-random bytes keeps ids unpredictable at a fraction of the cost.
const pool = new Uint32Array(1024)
let next = pool.length
function cryptoPrng(): number {
  if (next >= pool.length) {
    randomFillSync(pool)
    next = 0
  }
  return pool[next++]! / 0x1_0000_0000
}

const factory = monotonicFactory(cryptoPrng)

/** A new ULID: sortable by creation time, unique across processes. */
export function newId(now: number = Date.now()): string {
  return factory(now)
}
