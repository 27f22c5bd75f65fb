import type { Completion } from '@hookbox/core'
import { OUTCOME_COLUMNS, outcomeValues } from '@hookbox/store-kysely'
import { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { attemptToRow } from '../rows.js'

const CHUNK = 500

/** Thrown inside the first try's transaction to roll it back: some outcome was fenced off. */
class Fenced extends Error {}

/**
 * Writes a batch of outcomes in one transaction, in a fixed number of statements whatever its
 * size. Fencing: only the deliveries whose lease token still matches change (a dispatcher whose
 * lease was taken over changes nothing). First try: one multi-table UPDATE joined to the
 * outcomes as a derived table (`UNION ALL` of rows: MySQL's and MariaDB's VALUES constructors
 * differ) with the token in its condition; when it matched every outcome, they all applied
 * (the usual case, one round trip less than locking first). When it matched fewer, the
 * transaction rolls back and the second try locks the batch's deliveries, keeps those whose
 * token matches and updates only those. Leases are cleared and attempts logged either way.
 * Endpoints in a completion's `disableEndpoints` are disabled only when that completion
 * applied. Returns the ids updated, in batch order.
 */
export async function completeDeliveries(x: MysqlExecutor, completions: Completion[]): Promise<string[]> {
  if (completions.length === 0) return []
  try {
    return await x.tx(async (x) => {
      if ((await x.run(outcomesUpdate(x, completions, 'fenced'))) !== completions.length) throw new Fenced()
      return afterUpdate(x, completions, completions)
    })
  } catch (error) {
    if (!(error instanceof Fenced)) throw error
  }
  return x.tx(async (x) => {
    const locked = await x.all(
      x.qb
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
    return afterUpdate(x, completions, applied)
  })
}

/** What follows the outcomes' UPDATE: the endpoints the applied ones disable, every attempt; the applied ids in batch order. */
async function afterUpdate(x: MysqlExecutor, completions: Completion[], applied: Completion[]): Promise<string[]> {
  // A fenced-off (stale) outcome must not disable an endpoint either.
  for (const c of applied)
    for (const d of c.disableEndpoints)
      await x.run(
        x.qb
          .updateTable('hookbox_endpoints')
          .set({ enabled: 0, disabled_reason: d.reason, updated_at: c.updatedAt })
          .where('id', '=', d.id),
      )
  const attempts = completions.flatMap((c) => c.attemptLog.map(attemptToRow))
  for (let i = 0; i < attempts.length; i += CHUNK)
    await x.run(x.insert('hookbox_attempts', attempts.slice(i, i + CHUNK) as unknown as Array<Record<string, unknown>>))
  const done = new Set(applied.map((c) => c.deliveryId))
  return completions.map((c) => c.deliveryId).filter((id) => done.delete(id))
}

/**
 * One UPDATE for every outcome: the deliveries joined by id to their outcomes; `fenced`: only
 * where the lease token still matches (`<=>`, as the second try's `===` compares). Its text is
 * kept per row count and form: building it costs about as much as running it.
 */
function outcomesUpdate(x: MysqlExecutor, outcomes: Completion[], fenced?: 'fenced'): CompiledQuery {
  const values = outcomes.flatMap((c) => (fenced ? [c.deliveryId, c.leaseToken, ...outcomeValues(c)] : [c.deliveryId, ...outcomeValues(c)]))
  return x.text(`complete:${fenced ?? 'locked'}:${outcomes.length}`, values, () => {
    const columns = fenced ? ['id', 'lease_token', ...OUTCOME_COLUMNS] : ['id', ...OUTCOME_COLUMNS]
    const first = `SELECT ${columns.map((c) => `? AS ${c}`).join(', ')}`
    const next = `SELECT ${columns.map(() => '?').join(', ')}`
    const rows = outcomes.map((_, i) => (i === 0 ? first : next)).join(' UNION ALL ')
    const set = OUTCOME_COLUMNS.map((c) => `d.${c} = o.${c}`).join(', ')
    return `UPDATE ${x.table('hookbox_deliveries')} d JOIN (${rows}) o ON d.id = o.id${fenced ? ' AND d.lease_token <=> o.lease_token' : ''}
SET ${set}, d.lease_owner = NULL, d.lease_until = NULL, d.lease_token = NULL`
  })
}
