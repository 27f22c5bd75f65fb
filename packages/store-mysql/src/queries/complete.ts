import type { Completion } from '@hookbox/core'
import type { MysqlExecutor } from '../mysql-executor.js'
import { attemptToRow } from '../rows.js'

const CHUNK = 500

/**
 * Writes a batch of outcomes in one transaction. Each delivery is updated only while its lease
 * token still matches (fencing: a dispatcher whose lease was taken over changes nothing) and
 * its lease is cleared. Attempts are logged either way. Endpoints in a completion's
 * `disableEndpoints` are disabled only when that completion applied. Returns the ids updated,
 * in batch order.
 */
export async function completeDeliveries(x: MysqlExecutor, completions: Completion[]): Promise<string[]> {
  if (completions.length === 0) return []
  return x.tx(async (x) => {
    const { qb } = x
    const applied: string[] = []
    for (const c of completions) {
      const changed = await x.run(
        qb
          .updateTable('hookbox_deliveries')
          .set({
            state: c.state,
            attempts: c.attempts,
            next_attempt_at: c.nextAttemptAt,
            progress: JSON.stringify(c.progress),
            last_error: c.lastError,
            completed_at: c.completedAt,
            updated_at: c.updatedAt,
            lease_owner: null,
            lease_until: null,
            lease_token: null,
          })
          .where('id', '=', c.deliveryId)
          .where('lease_token', '=', c.leaseToken),
      )
      // A fenced-off (stale) outcome must not disable an endpoint either.
      if (changed === 0) continue
      applied.push(c.deliveryId)
      for (const d of c.disableEndpoints)
        await x.run(
          qb
            .updateTable('hookbox_endpoints')
            .set({ enabled: 0, disabled_reason: d.reason, updated_at: c.updatedAt })
            .where('id', '=', d.id),
        )
    }
    const attempts = completions.flatMap((c) => c.attemptLog.map(attemptToRow))
    for (let i = 0; i < attempts.length; i += CHUNK)
      await x.run(x.insert('hookbox_attempts', attempts.slice(i, i + CHUNK) as unknown as Array<Record<string, unknown>>))
    return applied
  })
}
