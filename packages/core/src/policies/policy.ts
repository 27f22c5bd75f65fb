import { InvalidPolicyError } from '../errors.js'

/** What happens to a delivery when its policy runs out of attempts. */
export type ExhaustedState = 'dead' | 'failed'

/**
 * What an open circuit breaker does to a policy's deliveries. `attempt` (the default of every
 * builder): nothing; every attempt is made when the schedule says, and the breaker never opens
 * for the collection's endpoints. `wait` (opt-in): attempts due while the endpoint is paused wait
 * for the pause to end without using up a retry, never past the policy's end (see
 * {@link policyEndMs}); one probe at a time tries the endpoint when a pause is over. `fireOnce`
 * cannot wait: a fire-once delivery is never sent late.
 */
export type WhilePaused = 'attempt' | 'wait'

/**
 * A retry policy as stored with its collection: plain data, so every dispatcher process reads
 * the same schedule from the database. Build one with {@link policies}.
 */
export interface RetryPolicy {
  /** Which builder made it; informational except for `custom`. */
  kind: 'fixed' | 'exponential' | 'fireOnce' | 'schedule' | 'custom'
  /** Name of a function schedule registered with `policies.custom` (only for `custom`). */
  name?: string
  /** Delay before attempt k+2, after k+1 failed attempts; its length + 1 bounds the attempts. */
  delaysMs: number[]
  /** Total attempts allowed, the first included. */
  maxAttempts: number
  /** Per-attempt HTTP timeout. */
  timeoutMs: number
  /** Random spread added to each delay, as a fraction of it (0 = none, 0.2 = up to +20 %). */
  jitter: number
  /** No attempt is scheduled later than this long after the first one (null = no limit). */
  maxAgeMs: number | null
  /** Upper bound for a delay stretched by a receiver's `Retry-After`. */
  maxRetryAfterMs: number
  /** State a delivery ends in when attempts run out. */
  onExhausted: ExhaustedState
  /** What the circuit breaker may do to this schedule; missing (older stored policies) means `attempt`. */
  whilePaused?: WhilePaused
}

/** Options every policy builder accepts. */
export interface CommonPolicyOptions {
  /** Per-attempt timeout in ms. */
  timeoutMs?: number
  /** Random spread added to each delay, 0…1 of the delay. */
  jitter?: number
  /** Latest time after the first attempt at which another may start, in ms. */
  maxAgeMs?: number | null
  /** Largest delay a `Retry-After` header may ask for, in ms. */
  maxRetryAfterMs?: number
  /** `dead` (dead-letter queue, replayable) or `failed` (final, no DLQ). */
  onExhausted?: ExhaustedState
  /** `attempt` (default: the schedule is kept whatever the breaker sees) or `wait`; see {@link WhilePaused}. */
  whilePaused?: WhilePaused
}

const MAX_TIMEOUT_MS = 60_000

/** Throws an {@link InvalidPolicyError} unless the policy is coherent. */
export function validatePolicy(p: RetryPolicy): RetryPolicy {
  const bad = (why: string): never => {
    throw new InvalidPolicyError(`invalid ${p.kind} policy: ${why}`)
  }
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) bad(`maxAttempts must be an integer >= 1, got ${p.maxAttempts}`)
  if (p.kind !== 'custom' && p.delaysMs.length < p.maxAttempts - 1)
    bad(`the schedule has ${p.delaysMs.length} delays for ${p.maxAttempts} attempts`)
  for (const d of p.delaysMs) if (!Number.isFinite(d) || d < 0) bad(`delays must be finite and >= 0, got ${d}`)
  if (!Number.isFinite(p.timeoutMs) || p.timeoutMs <= 0 || p.timeoutMs > MAX_TIMEOUT_MS)
    bad(`timeoutMs must be in (0, ${MAX_TIMEOUT_MS}], got ${p.timeoutMs}`)
  if (!(p.jitter >= 0 && p.jitter <= 1)) bad(`jitter must be within [0, 1], got ${p.jitter}`)
  if (p.maxAgeMs !== null && !(p.maxAgeMs > 0)) bad(`maxAgeMs must be > 0 or null, got ${p.maxAgeMs}`)
  if (!(p.maxRetryAfterMs >= 0)) bad(`maxRetryAfterMs must be >= 0, got ${p.maxRetryAfterMs}`)
  if (p.onExhausted !== 'dead' && p.onExhausted !== 'failed') bad(`onExhausted must be 'dead' or 'failed'`)
  if (p.kind === 'custom' && !p.name) bad('a custom policy needs a name')
  if (p.whilePaused !== undefined && p.whilePaused !== 'attempt' && p.whilePaused !== 'wait')
    bad(`whilePaused must be 'attempt' or 'wait', got ${JSON.stringify(p.whilePaused)}`)
  if (p.kind === 'fireOnce' && p.whilePaused === 'wait') bad('a fire-once delivery is never held back: whilePaused must be attempt')
  return p
}

export function common(o: CommonPolicyOptions, defaults: Required<CommonPolicyOptions>) {
  return {
    timeoutMs: o.timeoutMs ?? defaults.timeoutMs,
    jitter: o.jitter ?? defaults.jitter,
    maxAgeMs: o.maxAgeMs === undefined ? defaults.maxAgeMs : o.maxAgeMs,
    maxRetryAfterMs: o.maxRetryAfterMs ?? defaults.maxRetryAfterMs,
    onExhausted: o.onExhausted ?? defaults.onExhausted,
    whilePaused: o.whilePaused ?? defaults.whilePaused,
  }
}
