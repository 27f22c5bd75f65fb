import { InvalidPolicyError } from '../errors.js'
import { common, validatePolicy, type CommonPolicyOptions, type RetryPolicy } from './policy.js'
import { registerSchedule, type ScheduleFunction } from './custom-registry.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** Options of {@link policies.fixed}. */
export interface FixedPolicyOptions extends CommonPolicyOptions {
  /** Time between retries (default 15 minutes). */
  intervalMs?: number
  /** Retries after the first attempt (default 50). */
  retries?: number
}

/** Options of {@link policies.exponential}. */
export interface ExponentialPolicyOptions extends CommonPolicyOptions {
  /** Attempts in all, the first included (default 50). */
  maxAttempts?: number
  /** Second delay; the first retry is immediate (default 5 s). */
  initialDelayMs?: number
  /** Growth factor between delays (default 2). */
  factor?: number
  /** Largest single delay (default 30 minutes). */
  maxDelayMs?: number
}

/** Options of {@link policies.schedule}. */
export interface SchedulePolicyOptions extends CommonPolicyOptions {
  /** Attempts in all; defaults to one more than the number of delays. */
  maxAttempts?: number
}

/** Options of {@link policies.custom}. */
export interface CustomPolicyOptions extends CommonPolicyOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number
}

function checkInt(name: string, v: number, min: number) {
  if (!Number.isInteger(v) || v < min) throw new InvalidPolicyError(`${name} must be an integer >= ${min}, got ${v}`)
}

/**
 * Ready-made retry policies, one per seed platform, each adjustable.
 *
 * @example
 * ```ts
 * await outbox.collections.upsert({ name: 'events', policy: policies.fixed({ intervalMs: 60_000 }) })
 * ```
 */
export const policies = {
  /**
   * FrankieOne v1: first attempt at once, then a retry every 15 minutes, up to 50 retries,
   * then dead letter.
   */
  fixed(o: FixedPolicyOptions = {}): RetryPolicy {
    const retries = o.retries ?? 50
    const interval = o.intervalMs ?? 15 * MINUTE
    checkInt('retries', retries, 0)
    return validatePolicy({
      kind: 'fixed',
      delaysMs: Array.from({ length: retries }, () => interval),
      maxAttempts: retries + 1,
      ...common(o, { timeoutMs: 10_000, jitter: 0, maxAgeMs: null, maxRetryAfterMs: HOUR, onExhausted: 'dead', whilePaused: 'attempt' }),
    })
  },

  /**
   * FrankieOne v2: the first retry immediately after the first failure, then growing intervals;
   * 50 attempts in all within 24 hours, then dead letter.
   */
  exponential(o: ExponentialPolicyOptions = {}): RetryPolicy {
    const maxAttempts = o.maxAttempts ?? 50
    const initial = o.initialDelayMs ?? 5_000
    const factor = o.factor ?? 2
    const maxDelay = o.maxDelayMs ?? 30 * MINUTE
    checkInt('maxAttempts', maxAttempts, 1)
    if (!(factor >= 1)) throw new InvalidPolicyError(`factor must be >= 1, got ${factor}`)
    if (!(initial >= 0) || !(maxDelay >= initial)) throw new InvalidPolicyError('need 0 <= initialDelayMs <= maxDelayMs')
    const delaysMs = Array.from({ length: maxAttempts - 1 }, (_, i) =>
      i === 0 ? 0 : Math.min(maxDelay, Math.round(initial * factor ** (i - 1))),
    )
    return validatePolicy({
      kind: 'exponential',
      delaysMs,
      maxAttempts,
      ...common(o, {
        timeoutMs: 10_000,
        jitter: 0,
        maxAgeMs: 24 * HOUR,
        maxRetryAfterMs: HOUR,
        onExhausted: 'dead',
        whilePaused: 'attempt',
      }),
    })
  },

  /** Attestr: one attempt with a 5-second timeout, never retried; `failed` when it fails. */
  fireOnce(o: CommonPolicyOptions = {}): RetryPolicy {
    return validatePolicy({
      kind: 'fireOnce',
      delaysMs: [],
      maxAttempts: 1,
      ...common(o, { timeoutMs: 5_000, jitter: 0, maxAgeMs: null, maxRetryAfterMs: 0, onExhausted: 'failed', whilePaused: 'attempt' }),
    })
  },

  /** Any fixed list of delays: attempt 1 at once, attempt k+1 `delaysMs[k-1]` after attempt k. */
  schedule(delaysMs: number[], o: SchedulePolicyOptions = {}): RetryPolicy {
    return validatePolicy({
      kind: 'schedule',
      delaysMs: [...delaysMs],
      maxAttempts: o.maxAttempts ?? delaysMs.length + 1,
      ...common(o, { timeoutMs: 10_000, jitter: 0, maxAgeMs: null, maxRetryAfterMs: HOUR, onExhausted: 'dead', whilePaused: 'attempt' }),
    })
  },

  /**
   * A schedule computed by a function. The function lives in memory, so every process that
   * dispatches must call `policies.custom` with the same name before it starts.
   */
  custom(name: string, delay: ScheduleFunction, o: CustomPolicyOptions): RetryPolicy {
    checkInt('maxAttempts', o.maxAttempts, 1)
    registerSchedule(name, delay)
    return validatePolicy({
      kind: 'custom',
      name,
      delaysMs: [],
      maxAttempts: o.maxAttempts,
      ...common(o, { timeoutMs: 10_000, jitter: 0, maxAgeMs: null, maxRetryAfterMs: HOUR, onExhausted: 'dead', whilePaused: 'attempt' }),
    })
  },
}
