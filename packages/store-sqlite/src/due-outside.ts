import { sql, type CompiledQuery } from 'kysely'
import type { SyncExecutor } from './sync-executor.js'

/**
 * Whether any pending delivery is due at `now` with no endpoint or an endpoint outside `skip`:
 * what a claim skipping `skip` needs before it can find anything. One EXISTS for no endpoint
 * and one per gap around the skipped ids (in byte order, as SQLite's BINARY collation sorts
 * them), each a seek into hookbox_deliveries_endpoint_due (migration 11), so the answer costs
 * a few seeks however large the skipped endpoints' backlog is. It ignores leases and the other
 * skip rules: it only rules a claim out, never in.
 */
export function dueOutside(x: SyncExecutor, now: number, skip: readonly string[]): CompiledQuery<{ found: number }> {
  const ids = [...new Set(skip)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const gaps: Array<{ after: string | undefined; before: string | undefined }> = ids.map((before, i) => ({ after: ids[i - 1], before }))
  gaps.push({ after: ids.at(-1), before: undefined })
  const values = [
    now,
    ...gaps.flatMap((g) => [now, ...(g.after === undefined ? [] : [g.after]), ...(g.before === undefined ? [] : [g.before])]),
  ]
  const due = () =>
    x.qb
      .selectFrom('hookbox_deliveries')
      .select(sql.lit(1).as('one'))
      .where('state', '=', sql.lit('pending'))
      .where('next_attempt_at', '<=', now)
  return x.shaped(`due-outside:${ids.length}`, values, () =>
    x.qb.selectNoFrom((eb) =>
      eb
        .or([
          eb.exists(due().where('endpoint_id', 'is', null)),
          ...gaps.map((g) =>
            eb.exists(
              due()
                .$if(g.after !== undefined, (q) => q.where('endpoint_id', '>', g.after!))
                .$if(g.before !== undefined, (q) => q.where('endpoint_id', '<', g.before!)),
            ),
          ),
        ])
        .as('found'),
    ),
  )
}
