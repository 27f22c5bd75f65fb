import type { ProbeLeaseRequest } from '@hookbox/core'
import type { PostgresExecutor } from '../postgres-executor.js'

/** Takes the half-open probe of an endpoint whose pause is over, by moving the pause to `until`. */
export async function leaseProbe(x: PostgresExecutor, r: ProbeLeaseRequest): Promise<boolean> {
  const query = x.tables
    .updateTable('endpoints')
    .set({ paused_until: r.until, updated_at: r.now })
    .where('id', '=', r.id)
    .where('paused_until', 'is not', null)
    .where('paused_until', '<=', r.now)
  return ((await x.run(query.compile())).affectedRows ?? 0) > 0
}
