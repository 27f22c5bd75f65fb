import { describe, expect, it } from 'vitest'
import { ClaimPacing } from '../../src/dispatcher/claim-pacing.js'

const T0 = 1_000_000
const blockedAre =
  (...ids: string[]) =>
  () =>
    ids

describe('ClaimPacing', () => {
  it('after a majority delivery was deferred for widening windows, the claim waits until they have room or the deferral is due', () => {
    const p = new ClaimPacing()
    p.deferred(T0 + 10, ['a', 'b'])
    expect(p.waits(T0, blockedAre('a', 'b'))).toBe(true)
    expect(p.waits(T0 + 5, blockedAre('b'))).toBe(true)
    // Only endpoints outside the wait are blocked: the claim goes, and the wait is over.
    expect(p.waits(T0 + 5, blockedAre('x'))).toBe(false)
    expect(p.waits(T0 + 5, blockedAre('a'))).toBe(false)
    p.deferred(T0 + 10, ['a'])
    expect(p.waits(T0 + 10, blockedAre('a'))).toBe(false)
  })

  it('a deferral by any other limit, or of a delivery the claim can skip, never makes the claim wait', () => {
    const p = new ClaimPacing()
    p.deferred(T0 + 10, [])
    expect(p.waits(T0, blockedAre('a'))).toBe(false)
  })

  it('an attempt to another endpoint ending, during or after the claim, or new work ends the wait', () => {
    const p = new ClaimPacing()
    p.deferred(T0 + 10, ['a'])
    p.settled('a')
    expect(p.waits(T0, blockedAre('a'))).toBe(true)
    p.settled('x')
    expect(p.waits(T0, blockedAre('a'))).toBe(false)

    p.claimStarted()
    p.settled('x')
    p.deferred(T0 + 10, ['a'])
    expect(p.waits(T0, blockedAre('a'))).toBe(true)
    p.claimAdmitted()
    expect(p.waits(T0, blockedAre('a'))).toBe(false)

    p.deferred(T0 + 10, ['a'])
    p.woken()
    expect(p.waits(T0, blockedAre('a'))).toBe(false)
  })

  it('knows the earliest deferral still ahead, and forgets those that came due', () => {
    const p = new ClaimPacing()
    expect(p.nextDue(T0)).toBeUndefined()
    for (const t of [T0 + 30, T0 + 10, T0 + 20]) p.deferred(t, [])
    expect(p.nextDue(T0)).toBe(T0 + 10)
    expect(p.nextDue(T0 + 10)).toBe(T0 + 20)
    expect(p.nextDue(T0 + 30)).toBeUndefined()
  })

  it('a loop that never sleeps keeps only the earliest 1,024 due times, so the earliest is still known', () => {
    const p = new ClaimPacing()
    for (let i = 5_000; i > 0; i--) p.deferred(T0 + 1_000 + i, [])
    p.deferred(T0 + 5, [])
    expect(p.nextDue(T0)).toBe(T0 + 5)
    expect(p.nextDue(T0 + 5)).toBe(T0 + 1_001)
    // Of the 5,000, the 1,023 earliest are kept beside T0 + 5; those after are left to the poll.
    expect(p.nextDue(T0 + 1_000 + 1_023)).toBeUndefined()
  })
})
