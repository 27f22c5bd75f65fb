import type { ProbeLeaseRequest } from '@hookbox/core'
import type { SyncExecutor } from '../sync-executor.js'

/** Takes the half-open probe of an endpoint whose pause is over, by moving the pause to `until`. */
export function leaseProbe(x: SyncExecutor, r: ProbeLeaseRequest): boolean {
  const query = x.qb
    .updateTable('hookbox_endpoints')
    .set({ paused_until: r.until, updated_at: r.now })
    .where('id', '=', r.id)
    .where('paused_until', 'is not', null)
    .where('paused_until', '<=', r.now)
  return x.run(query) > 0
}
