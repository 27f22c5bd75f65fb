import type { EndpointHealthUpdate } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'

/** Writes the breaker's fields that are given (and disables on `disable`); false when the endpoint is gone. */
export async function setEndpointHealth(x: MysqlExecutor, h: EndpointHealthUpdate): Promise<boolean> {
  const changes = {
    ...(h.pausedUntil !== undefined && { paused_until: h.pausedUntil }),
    ...(h.failingSince !== undefined && { failing_since: h.failingSince }),
    ...(h.disable !== undefined && { enabled: 0, disabled_reason: h.disable }),
    updated_at: h.now,
  }
  return (await x.run(x.qb.updateTable('hookbox_endpoints').set(changes).where('id', '=', h.id))) > 0
}
