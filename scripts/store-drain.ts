// Shared by the store probes: claims and completes (delivered, no attempt log) everything due,
// through the store alone (no dispatcher, no HTTP).
import type { Outbox } from '../packages/core/src/index.js'

/** Claims batches of 100 and completes them as delivered until none is due; how many it delivered. */
export async function deliverAll(store: Outbox['store']): Promise<number> {
  let done = 0
  for (;;) {
    const now = Date.now()
    const { leased } = await store.queue.claim({ limit: 100, now, leaseMs: 30_000, owner: 'probe' })
    if (leased.length === 0) return done
    const completions = leased.map((l) => ({
      deliveryId: l.delivery.id,
      leaseToken: l.leaseToken,
      state: 'delivered' as const,
      attempts: 1,
      nextAttemptAt: null,
      progress: {},
      lastError: null,
      completedAt: now,
      updatedAt: now,
      disableEndpoints: [],
      attemptLog: [],
    }))
    await store.queue.complete({ completions } as never)
    done += leased.length
  }
}
