import { andThen, type EndpointHealthUpdate } from '@hookbox/core'
import type { KyselyDialect } from '../dialect.js'
import { write, type MaybePromise } from '../plan.js'

/** Writes the breaker's fields that are given (and disables on `disable`); false when the endpoint is gone. */
export function setEndpointHealth(d: KyselyDialect, h: EndpointHealthUpdate): MaybePromise<boolean> {
  const changes = {
    ...(h.pausedUntil !== undefined && { paused_until: h.pausedUntil }),
    ...(h.failingSince !== undefined && { failing_since: h.failingSince }),
    ...(h.disable !== undefined && { enabled: 0, disabled_reason: h.disable }),
    updated_at: h.now,
  }
  return andThen(write(d.exec, d.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', h.id)), (n) => n > 0)
}
