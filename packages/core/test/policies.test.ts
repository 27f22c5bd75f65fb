import { describe, expect, it } from 'vitest'
import { nextAttemptAt, policies } from '../src/index.js'

const T0 = 1_000_000
const next = (policy: ReturnType<typeof policies.fixed>, attemptsMade: number, extra: Partial<Parameters<typeof nextAttemptAt>[0]> = {}) =>
  nextAttemptAt({ policy, attemptsMade, windowStart: T0, now: T0, ...extra })

describe('policies', () => {
  it('fixed: 15-minute intervals, 51 attempts', () => {
    const p = policies.fixed()
    expect(p.maxAttempts).toBe(51)
    expect(next(p, 1)).toBe(T0 + 15 * 60_000)
    expect(next(p, 50)).toBe(T0 + 15 * 60_000)
    expect(next(p, 51)).toBeNull()
  })

  it('exponential: immediate first retry, then doubling up to the cap, all within 24 h', () => {
    const p = policies.exponential()
    expect(p.delaysMs.slice(0, 5)).toEqual([0, 5_000, 10_000, 20_000, 40_000])
    expect(Math.max(...p.delaysMs)).toBe(30 * 60_000)
    expect(p.delaysMs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(24 * 3600_000)
  })

  it('maxAgeMs ends the schedule when the next attempt would fall outside the window', () => {
    const p = policies.fixed({ maxAgeMs: 20 * 60_000 })
    expect(next(p, 1)).toBe(T0 + 15 * 60_000)
    expect(next(p, 2, { now: T0 + 15 * 60_000 })).toBeNull()
  })

  it('Retry-After lengthens a delay but never past maxRetryAfterMs, and never shortens it', () => {
    const p = policies.fixed({ intervalMs: 60_000, maxRetryAfterMs: 300_000 })
    expect(next(p, 1, { retryAfterMs: 120_000 })).toBe(T0 + 120_000)
    expect(next(p, 1, { retryAfterMs: 10_000_000 })).toBe(T0 + 300_000)
    expect(next(p, 1, { retryAfterMs: 1_000 })).toBe(T0 + 60_000)
  })

  it('Retry-After past the age limit is cut to the deadline instead of ending the schedule', () => {
    const p = policies.fixed({ intervalMs: 60_000, maxAgeMs: 300_000, maxRetryAfterMs: 3_600_000 })
    expect(next(p, 1, { retryAfterMs: 3_600_000 })).toBe(T0 + 300_000)
  })

  it('jitter only adds, up to the given fraction', () => {
    const p = policies.fixed({ intervalMs: 1000, jitter: 0.5 })
    expect(next(p, 1, { random: () => 0 })).toBe(T0 + 1000)
    expect(next(p, 1, { random: () => 0.999 })).toBe(T0 + 1500)
  })

  it('custom: a registered function schedule', () => {
    const p = policies.custom('linear-test', (n) => n * 1000, { maxAttempts: 4 })
    expect(next(p, 1)).toBe(T0 + 1000)
    expect(next(p, 3)).toBe(T0 + 3000)
    expect(next(p, 4)).toBeNull()
  })

  it('fireOnce: one attempt, 5 s timeout, failed when exhausted', () => {
    const p = policies.fireOnce()
    expect(p).toMatchObject({ maxAttempts: 1, timeoutMs: 5000, onExhausted: 'failed' })
    expect(next(p, 1)).toBeNull()
  })
})
