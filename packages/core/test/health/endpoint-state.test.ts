import { describe, expect, it } from 'vitest'
import { EndpointState } from '../../src/health/endpoint-state.js'

const WINDOW = 60_000
const SLICE = WINDOW / 10

describe("EndpointState: the breaker's window, counted in place", () => {
  it('counts the outcomes of the last ten slices and drops older ones as time moves on', () => {
    const s = new EndpointState(2)
    const t0 = 1_764_000_000_000 - (1_764_000_000_000 % SLICE)
    s.record(t0, true, WINDOW)
    s.record(t0 + 1, false, WINDOW)
    expect([s.recentTotal, s.recentFailed]).toEqual([2, 1])
    // Nine slices later the first still counts; at the tenth it has left the window.
    s.record(t0 + 9 * SLICE, true, WINDOW)
    expect([s.recentTotal, s.recentFailed]).toEqual([3, 2])
    s.record(t0 + 10 * SLICE, false, WINDOW)
    expect([s.recentTotal, s.recentFailed]).toEqual([2, 1])
    // A slot reused by a later slice starts from zero.
    s.record(t0 + 19 * SLICE, false, WINDOW)
    expect([s.recentTotal, s.recentFailed]).toEqual([2, 0])
    s.record(t0 + 100 * SLICE, true, WINDOW)
    expect([s.recentTotal, s.recentFailed]).toEqual([1, 1])
  })

  it('forgets every outcome when told to', () => {
    const s = new EndpointState(2)
    for (let i = 0; i < 5; i++) s.record(1000 + i, true, WINDOW)
    expect(s.recentTotal).toBe(5)
    s.forgetOutcomes()
    s.record(1010, false, WINDOW)
    expect([s.recentTotal, s.recentFailed]).toEqual([1, 0])
  })
})
