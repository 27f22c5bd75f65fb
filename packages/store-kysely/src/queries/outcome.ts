import type { Completion } from '@hookbox/core'

/** The columns a write-back sets from a completion (the lease is cleared besides), in the order of {@link outcomeValues}. */
export const OUTCOME_COLUMNS = ['state', 'attempts', 'next_attempt_at', 'progress', 'last_error', 'completed_at', 'updated_at'] as const

/** A completion's values of {@link OUTCOME_COLUMNS}, in that order, as the kysely stores bind them. */
export function outcomeValues(c: Completion): unknown[] {
  return [c.state, c.attempts, c.nextAttemptAt, JSON.stringify(c.progress), c.lastError, c.completedAt, c.updatedAt]
}
