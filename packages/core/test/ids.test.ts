import { decodeTime, isValid } from 'ulid'
import { describe, expect, it } from 'vitest'
import { ManualClock, ValidationError } from '../src/index.js'
import { idTime, newId } from '../src/ids.js'

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

// The generator is monotonic across calls: each test uses later times than the one before.
describe('newId', () => {
  it('makes ULIDs whose time prefix is the injectable clock time, as the ulid package reads them', () => {
    const clock = new ManualClock(1_764_000_000_123)
    for (let i = 0; i < 50; i++) {
      const id = newId(clock.now())
      expect(id).toMatch(ULID)
      expect(isValid(id)).toBe(true)
      expect(decodeTime(id)).toBe(clock.now())
      expect(idTime(id)).toBe(clock.now())
      clock.advance(i * 997)
    }
    expect(idTime('0'.repeat(26))).toBe(0)
    expect(idTime('7ZZZZZZZZZ' + '0'.repeat(16))).toBe(2 ** 48 - 1)
  })

  it('is monotonic within a millisecond and when the clock goes back', () => {
    const t = 1_900_000_000_000
    const ids = Array.from({ length: 5000 }, () => newId(t))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    // An earlier time keeps the last one's prefix and still sorts after it.
    const back = newId(t - 10)
    expect(back > ids.at(-1)!).toBe(true)
    expect(idTime(back)).toBe(t)
    // A later millisecond starts a fresh random part.
    const later = newId(t + 1)
    expect(idTime(later)).toBe(t + 1)
    expect(later > back).toBe(true)
  })

  it('draws a different random part each millisecond', () => {
    const randoms = Array.from({ length: 200 }, (_, i) => newId(2_000_000_000_000 + i).slice(10))
    expect(new Set(randoms).size).toBe(randoms.length)
  })

  it('refuses a time that is not a ULID time, and idTime what is not a ULID', () => {
    for (const bad of [-5, 3_000_000_000_000.5, Number.NaN, Infinity, 2 ** 48]) expect(() => newId(bad)).toThrow(ValidationError)
    for (const bad of ['', 'short', 'U'.repeat(26), '8ZZZZZZZZZ' + '0'.repeat(16)]) expect(() => idTime(bad)).toThrow(ValidationError)
  })
})
