import { InvalidPolicyError } from '../errors.js'
import type { RetryPolicy } from './policy.js'
import { lookupSchedule } from './custom-registry.js'
import { deliveryDeadline } from './policy-end.js'

/** Inputs to {@link nextAttemptAt}. */
export interface NextAttemptInput {
  policy: RetryPolicy
  /** Attempts made so far, the one that just failed included. */
  attemptsMade: number
  /** When the current schedule began (first attempt, or last replay). */
  windowStart: number
  now: number
  /** Delay a receiver asked for with `Retry-After`, if any. */
  retryAfterMs?: number | null
  random?: () => number
}

/**
 * When the next attempt is due, or null when the policy is exhausted. `Retry-After` can only
 * lengthen a delay, and never past `maxRetryAfterMs` or the policy's end ({@link policyEndMs}).
 */
export function nextAttemptAt(input: NextAttemptInput): number | null {
  const { policy, attemptsMade, now } = input
  if (attemptsMade >= policy.maxAttempts) return null
  let delay: number
  if (policy.kind === 'custom') {
    const fn = lookupSchedule(policy.name ?? '')
    if (!fn) throw new InvalidPolicyError(`custom policy "${policy.name}" is not registered in this process`)
    delay = fn(attemptsMade)
  } else {
    delay = policy.delaysMs[attemptsMade - 1] ?? policy.delaysMs.at(-1) ?? 0
  }
  if (!Number.isFinite(delay) || delay < 0)
    throw new InvalidPolicyError(`policy ${policy.name ?? policy.kind} gave an invalid delay: ${delay}`)
  if (policy.jitter > 0) delay += delay * policy.jitter * (input.random ?? Math.random)()
  const deadline = deliveryDeadline(policy, input.windowStart)
  if (now + delay > deadline) return null
  // Retry-After may stretch the delay, but not past the deadline the schedule itself keeps.
  if (input.retryAfterMs != null && input.retryAfterMs > delay) delay = Math.min(input.retryAfterMs, policy.maxRetryAfterMs, deadline - now)
  return now + Math.max(0, Math.round(delay))
}
