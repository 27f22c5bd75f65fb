import { lookupSchedule } from './custom-registry.js'
import type { RetryPolicy } from './policy.js'
import type { DeliveryRecord } from '../store/records.js'

/**
 * How long after its schedule starts (expansion, or the last replay) a delivery under `policy` is
 * final at the latest, in ms; null when it cannot be known (a custom function not registered in
 * this process). It is `maxAgeMs` when the policy has one (exponential: 24 h); otherwise the
 * sum of its delays, stretched by the most jitter can add, plus one timeout per attempt for the
 * time the attempts themselves take (fixed: 50 × 15 min + 51 × 10 s).
 *
 * No health feature moves it: an attempt is never scheduled or held back past it, and a delivery
 * held back by a paused or disabled endpoint or a disabled collection is ended when it comes.
 */
export function policyEndMs(policy: RetryPolicy): number | null {
  if (policy.maxAgeMs !== null) return policy.maxAgeMs
  const retries = policy.maxAttempts - 1
  let delays = 0
  if (policy.kind === 'custom') {
    const fn = lookupSchedule(policy.name ?? '')
    if (!fn) return null
    for (let k = 1; k <= retries; k++) {
      const d = fn(k)
      if (!Number.isFinite(d) || d < 0) return null
      delays += d
    }
  } else for (let k = 0; k < retries; k++) delays += policy.delaysMs[k] ?? policy.delaysMs.at(-1) ?? 0
  return Math.ceil(delays * (1 + policy.jitter)) + policy.maxAttempts * policy.timeoutMs
}

/** The time (epoch ms) by which a delivery whose schedule began at `windowStart` is final; Infinity when unknown. */
export function deliveryDeadline(policy: RetryPolicy, windowStart: number): number {
  const end = policyEndMs(policy)
  return end === null ? Number.POSITIVE_INFINITY : windowStart + end
}

/**
 * A delivery's end as stored with it (fixed when its schedule began, so the claim's SQL and the
 * dispatcher agree); rows written before the column existed fall back to `policy`'s end.
 */
export function deadlineOf(delivery: Pick<DeliveryRecord, 'deadline' | 'windowStart'>, policy: RetryPolicy): number {
  return delivery.deadline ?? deliveryDeadline(policy, delivery.windowStart)
}
