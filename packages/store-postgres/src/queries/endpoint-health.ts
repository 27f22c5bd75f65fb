import type { EndpointHealthUpdate } from '@hookbox/core'
import type { PostgresExecutor } from '../postgres-executor.js'

/** Writes the breaker's fields that are given (and disables on `disable`); false when the endpoint is gone. */
export async function setEndpointHealth(x: PostgresExecutor, h: EndpointHealthUpdate): Promise<boolean> {
  const changes = {
    ...(h.pausedUntil !== undefined && { paused_until: h.pausedUntil }),
    ...(h.failingSince !== undefined && { failing_since: h.failingSince }),
    ...(h.disable !== undefined && { enabled: false, disabled_reason: h.disable }),
    updated_at: h.now,
  }
  return ((await x.run(x.tables.updateTable('endpoints').set(changes).where('id', '=', h.id).compile())).affectedRows ?? 0) > 0
}
