import { andThen, type ProbeLeaseRequest } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { write, type MaybePromise } from '../plan.js'

/** Takes the half-open probe of an endpoint whose pause is over, by moving the pause to `until`. */
export function leaseProbe(d: KyselyDialect, r: ProbeLeaseRequest): MaybePromise<boolean> {
  const query = d.qb
    .updateTable('hookbox_endpoints')
    .set({ paused_until: r.until, updated_at: r.now })
    .where('id', '=', r.id)
    .where('paused_until', 'is not', null)
    .where('paused_until', '<=', r.now)
  return andThen(write(d.exec, query), (n) => n > 0)
}
