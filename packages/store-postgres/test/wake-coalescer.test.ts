import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { ValidationError } from '@hookbox/core'
import { postgresStore } from '../src/index.js'
import { WakeCoalescer } from '../src/wake-coalescer.js'

/** Which of the calls at these times (ms) carry a wake-up. */
const carriers = (c: WakeCoalescer, times: number[]) => times.filter((t) => c.carries(t))

describe('WakeCoalescer (coalesced wake mode)', () => {
  it('a host at 200 notifies/s carries a wake-up with every one: each commit is seen when it lands', () => {
    const times = Array.from({ length: 20 }, (_, i) => i * 5)
    expect(carriers(new WakeCoalescer(50, 2), times)).toEqual(times)
  })

  it('a busy host (a notify every 0.2 ms) carries one per window', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i * 0.2)
    expect(carriers(new WakeCoalescer(50, 2), times)).toEqual([0, 50, 100, 150])
  })

  it('after a burst, the first notify following a quiet gap carries one, inside the window', () => {
    expect(carriers(new WakeCoalescer(50, 2), [0, 0.5, 1, 1.5, 10, 10.5, 11])).toEqual([0, 10])
  })

  it('a quiet gap of Infinity leaves only the window (one per windowMs)', () => {
    expect(carriers(new WakeCoalescer(50, Number.POSITIVE_INFINITY), [0, 5, 10, 49, 50, 120])).toEqual([0, 50, 120])
  })
})

describe('postgresStore coalescing options', () => {
  it('refuses a negative or non-numeric coalesceQuietMs with a typed error', () => {
    const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/never' })
    for (const coalesceQuietMs of [-1, Number.NaN]) expect(() => postgresStore({ pool, coalesceQuietMs })).toThrow(ValidationError)
    expect(() => postgresStore({ pool, coalesceQuietMs: -1 })).toThrow(/coalesceQuietMs must be >= 0/)
  })
})
