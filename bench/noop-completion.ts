import { newId, type Completion, type LeasedDelivery } from '../packages/core/src/index.js'

/**
 * What the dispatcher writes back for a delivery acknowledged at `at` by a no-op send to
 * `endpointId`: delivered, one attempt row. For store-only loops that claim and complete
 * without a dispatcher (bench/claim-path.ts, scripts/mysql-phases-probe.ts).
 */
export function noopCompletion(c: LeasedDelivery, endpointId: string, at: number): Completion {
  return {
    deliveryId: c.delivery.id,
    leaseToken: c.leaseToken,
    state: 'delivered',
    attempts: 1,
    nextAttemptAt: null,
    progress: { [endpointId]: 'acked' },
    lastError: null,
    completedAt: at,
    updatedAt: at,
    attemptLog: [
      {
        id: newId(),
        deliveryId: c.delivery.id,
        tenant: null,
        endpointId,
        round: 1,
        url: 'noop://sink',
        startedAt: at,
        latencyMs: 0,
        statusCode: 200,
        outcome: 'ack',
        error: null,
        responseSnippet: null,
      },
    ],
    disableEndpoints: [],
  }
}
