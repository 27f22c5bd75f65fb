import type { Completion } from '@hookbox/core'
import { OUTCOME_COLUMNS, outcomeValues } from '@hookbox/store-kysely'
import { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { attemptToRow } from '../rows.js'

const CHUNK = 500

/**
 * Writes a batch of outcomes in one transaction, in a fixed number of statements whatever its
 * size: locks the batch's deliveries and keeps those whose lease token still matches (fencing:
 * a dispatcher whose lease was taken over changes nothing), writes all their outcomes in one
 * multi-table UPDATE joined to the outcomes as a derived table (`UNION ALL` of rows: MySQL's
 * and MariaDB's VALUES constructors differ) and clears their leases. Attempts are logged
 * either way. Endpoints in a completion's `disableEndpoints` are disabled only when that
 * completion applied. Returns the ids updated, in batch order.
 */
export async function completeDeliveries(x: MysqlExecutor, completions: Completion[]): Promise<string[]> {
  if (completions.length === 0) return []
  return x.tx(async (x) => {
    const { qb } = x
    const locked = await x.all(
      qb
        .selectFrom('hookbox_deliveries')
        .select(['id', 'lease_token'])
        .where(
          'id',
          'in',
          completions.map((c) => c.deliveryId),
        )
        .forUpdate(),
    )
    const tokens = new Map(locked.map((r) => [r.id, r.lease_token]))
    const applied = completions.filter((c) => tokens.get(c.deliveryId) === c.leaseToken)
    if (applied.length) await x.run(outcomesUpdate(x, applied))
    // A fenced-off (stale) outcome must not disable an endpoint either.
    for (const c of applied)
      for (const d of c.disableEndpoints)
        await x.run(
          qb
            .updateTable('hookbox_endpoints')
            .set({ enabled: 0, disabled_reason: d.reason, updated_at: c.updatedAt })
            .where('id', '=', d.id),
        )
    const attempts = completions.flatMap((c) => c.attemptLog.map(attemptToRow))
    for (let i = 0; i < attempts.length; i += CHUNK)
      await x.run(x.insert('hookbox_attempts', attempts.slice(i, i + CHUNK) as unknown as Array<Record<string, unknown>>))
    const done = new Set(applied.map((c) => c.deliveryId))
    return completions.map((c) => c.deliveryId).filter((id) => done.delete(id))
  })
}

/** One UPDATE for every applied outcome: the deliveries joined by id to their outcomes. */
function outcomesUpdate(x: MysqlExecutor, applied: Completion[]): CompiledQuery {
  const first = `SELECT ? AS id, ${OUTCOME_COLUMNS.map((c) => `? AS ${c}`).join(', ')}`
  const next = `SELECT ${['id', ...OUTCOME_COLUMNS].map(() => '?').join(', ')}`
  const rows = applied.map((_, i) => (i === 0 ? first : next)).join(' UNION ALL ')
  const set = OUTCOME_COLUMNS.map((c) => `d.${c} = o.${c}`).join(', ')
  return CompiledQuery.raw(
    `UPDATE ${x.table('hookbox_deliveries')} d JOIN (${rows}) o ON d.id = o.id
SET ${set}, d.lease_owner = NULL, d.lease_until = NULL, d.lease_token = NULL`,
    applied.flatMap((c) => [c.deliveryId, ...outcomeValues(c)]),
  )
}
