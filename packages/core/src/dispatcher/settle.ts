import { nextAttemptAt } from '../policies/next-attempt.js'
import { deadlineOf } from '../policies/policy-end.js'
import { disables, judge, type SuccessRule } from '../success-rule.js'
import type { AttemptRecord, DeliveryRecord, DeliveryState, EndpointProgress } from '../store/records.js'
import type { Claim, Completion } from '../store/store.js'
import type { SentAttempt } from './send-attempt.js'

/** How soon a round held back only by disabled endpoints is looked at again. */
const DISABLED_RECHECK_MS = 60_000

/** A settled round: the row to write back and what to tell listeners. */
export interface Settlement {
  completion: Completion
  /** Endpoints that did not acknowledge (majority: the tolerated or retried ones). */
  failedEndpoints: string[]
}

/** An attempt that could not be made (endpoint gone, disabled or paused, collection disabled). */
export interface SkippedAttempt {
  endpointId: string
  reason: string
  /** A deleted endpoint is never retried; a disabled or paused one may come back. */
  permanent: boolean
  /** When it may be attempted again (a paused endpoint's probe time); never past the policy's end. */
  retryAt?: number
}

/** How one attempt is judged: by the transport's own verdict, else by the success rule. */
export function attemptOutcome(a: SentAttempt, collectionRule: SuccessRule | null): AttemptRecord['outcome'] {
  if (!a.result.ok) return 'error'
  return a.result.verdict ?? judge(a.endpoint.success ?? collectionRule, a.result.response.status, a.result.response.contentType)
}

/** Puts a claimed delivery back, due at `until`, as it was: no attempt made, no retry used. */
export function deferral(claim: Claim, until: number, now: number): Completion {
  const { delivery } = claim
  return {
    deliveryId: delivery.id,
    leaseToken: claim.leaseToken,
    state: 'pending',
    attempts: delivery.attempts,
    nextAttemptAt: until,
    progress: delivery.progress,
    lastError: delivery.lastError,
    completedAt: null,
    updatedAt: now,
    attemptLog: [],
    disableEndpoints: [],
  }
}

function describe(a: SentAttempt): string {
  if (!a.result.ok) return `${a.result.error.kind}: ${a.result.error.message}`
  // A transport that judges its own replies (SMTP) speaks in codes that are not HTTP statuses.
  return a.result.verdict ? `replied ${a.result.response.status}` : `HTTP ${a.result.response.status}`
}

/**
 * A copy of the delivery's progress to settle a round into, without a prototype: V8 keeps such
 * an object as a dictionary. A literal keyed by endpoint id gets a hidden class per id, and past
 * V8's limit of transitions from one class (about 1,500) each new id built a class of its own:
 * with 30,000 endpoints (10,000 tenants × 3) adding the one key of an `each` delivery cost
 * about 1.2 µs against 0.1 µs for the same 3 ids again and again, and serializing it more.
 */
function progressOf(delivery: DeliveryRecord): Record<string, EndpointProgress> {
  return Object.assign(Object.create(null) as Record<string, EndpointProgress>, delivery.progress)
}

/**
 * Applies the collection's success rule, failure mode and policy to one round of attempts.
 * `each`: the single endpoint acknowledges, stops (dead) or retries. `majority`: the round fails
 * when more than half of the targets have not acknowledged; it is then retried to the
 * unacknowledged ones only; otherwise the delivery is delivered and the minority is reported.
 */
export function settle(claim: Claim, sent: SentAttempt[], skipped: SkippedAttempt[], now: number, random?: () => number): Settlement {
  const { delivery, collection } = claim
  const policy = collection.policy
  const round = delivery.attempts + 1
  const progress = progressOf(delivery)
  const log: AttemptRecord[] = []
  const disable: Completion['disableEndpoints'] = []
  let retryAfterMs: number | null = null
  let lastError: string | null = null
  let sentFailures = 0

  for (const a of sent) {
    const rule = a.endpoint.success ?? collection.success
    const res = a.result.ok ? a.result.response : null
    const outcome = a.outcome ?? attemptOutcome(a, collection.success)
    if (outcome === 'ack') progress[a.endpoint.id] = 'acked'
    else {
      lastError = describe(a)
      sentFailures++
      if (outcome === 'stop') progress[a.endpoint.id] = 'stopped'
      // A transport's own verdict (SMTP) speaks another language than the rule's HTTP statuses.
      if (res && !(a.result.ok && a.result.verdict) && disables(rule, res.status))
        disable.push({ id: a.endpoint.id, reason: `responded ${res.status}` })
      if (res?.retryAfterMs != null && (res.status === 429 || res.status === 503))
        retryAfterMs = Math.max(retryAfterMs ?? 0, res.retryAfterMs)
    }
    log.push({
      id: a.attemptId,
      deliveryId: delivery.id,
      tenant: delivery.tenant,
      endpointId: a.endpoint.id,
      round,
      url: a.url,
      startedAt: a.startedAt,
      latencyMs: a.result.latencyMs,
      statusCode: res?.status ?? null,
      outcome,
      error: a.result.ok ? null : `${a.result.error.kind}: ${a.result.error.message}`,
      responseSnippet: res?.snippet ?? null,
    })
  }
  for (const s of skipped) {
    lastError = s.reason
    if (s.permanent) progress[s.endpointId] = 'gone'
  }

  // Deleted endpoints no longer count: the majority is taken over those that still exist.
  // One pass over the targets: they are counted, and only the unacknowledged ones listed.
  let live = 0
  let retryable = 0
  const notAcked: string[] = []
  for (const id of delivery.targets) {
    const p = progress[id]
    if (p === 'gone') continue
    live++
    if (p === 'acked') continue
    notAcked.push(id)
    if (p !== 'stopped') retryable++
  }
  const roundFailed = delivery.failureMode === 'majority' ? notAcked.length * 2 > live : notAcked.length > 0

  let state: DeliveryState = 'delivered'
  let next: number | null = null
  let attempts = round
  if (live === 0) {
    state = 'failed'
    lastError = 'every endpoint of this delivery was deleted'
  } else if (roundFailed && sentFailures === 0 && skipped.some((s) => !s.permanent)) {
    // Only disabled or paused endpoints held the round back: it does not use up a retry, and it
    // waits no longer than the policy's end, where the delivery ends as if its retries ran out.
    attempts = delivery.attempts
    const deadline = deadlineOf(delivery, policy)
    if (now >= deadline) {
      state = policy.onExhausted
      lastError = `${lastError}; the policy's end was reached`
    } else {
      state = 'pending'
      const held = skipped.filter((s) => !s.permanent).map((s) => s.retryAt ?? now + DISABLED_RECHECK_MS)
      next = Math.min(deadline, ...held)
    }
  } else if (roundFailed) {
    try {
      next =
        retryable === 0
          ? null
          : nextAttemptAt({ policy, attemptsMade: round, windowStart: delivery.windowStart, now, retryAfterMs, random })
      state = next === null ? policy.onExhausted : 'pending'
    } catch (err) {
      // e.g. a custom policy not registered in this process: dead-letter (replayable) rather than resend forever.
      state = 'dead'
      lastError = `cannot schedule a retry: ${(err as Error).message}`
    }
  }
  const final = state !== 'pending'
  return {
    failedEndpoints: notAcked,
    completion: {
      deliveryId: delivery.id,
      leaseToken: claim.leaseToken,
      state,
      attempts,
      nextAttemptAt: next,
      progress,
      lastError: state === 'delivered' && notAcked.length === 0 ? null : lastError,
      completedAt: final ? now : null,
      updatedAt: now,
      attemptLog: log,
      disableEndpoints: disable,
    },
  }
}

/** The delivery as it reads after a completion, for event payloads. */
export function applyCompletion(d: DeliveryRecord, c: Completion, now: number): DeliveryRecord {
  return {
    ...d,
    state: c.state,
    attempts: c.attempts,
    nextAttemptAt: c.nextAttemptAt,
    progress: c.progress,
    lastError: c.lastError,
    completedAt: c.completedAt,
    updatedAt: now,
  }
}
