import type { DeliveryRecord } from './records.js'

/**
 * A replay: the delivery is pending again, due at `now`, with a fresh schedule. `acked`
 * progress is kept (a replay never resends to an endpoint that acknowledged); `stopped` and
 * `gone` are cleared; `lastError` stays until the next attempt. The policy's end moves with the
 * schedule's start, as long after it as before.
 */
export function replayed(now: number): (delivery: DeliveryRecord) => DeliveryRecord {
  return (d) => ({
    ...d,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    windowStart: now,
    deadline: d.deadline === null ? null : d.deadline + (now - d.windowStart),
    progress: Object.fromEntries(Object.entries(d.progress).filter(([, p]) => p === 'acked')),
    completedAt: null,
    updatedAt: now,
  })
}

/** A cancellation: the delivery ends `failed` with `reason`, completed at `now`. */
export function cancelled(now: number, reason: string): (delivery: DeliveryRecord) => DeliveryRecord {
  return (d) => ({ ...d, state: 'failed', lastError: reason, completedAt: now, updatedAt: now })
}
