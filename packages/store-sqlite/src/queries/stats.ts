import { StoreError, tenantToColumn, type StatsRequest, type StoreStats } from '@hookbox/core'
import { CompiledQuery } from 'kysely'
import type { SyncExecutor } from '../sync-executor.js'

interface StatsRow {
  pending: number
  due: number
  in_flight: number
  oldest_delivery: number | null
  oldest_message: number | null
  unexpanded: number
  dead: number
  failed: number
  paused: number
  disabled: number
  waiting_on_disabled: number
}

/**
 * One statement, every part of it bounded by work that is owed rather than by history:
 *
 * - pending deliveries through `hookbox_deliveries_due` (`WHERE state = 'pending'`);
 * - unexpanded messages through `hookbox_messages_unexpanded`, the oldest being the lowest `seq`;
 * - dead and failed through `hookbox_deliveries_final (state, completed_at)`, a range of it
 *   each, never the `delivered` rows;
 * - endpoints by a scan of their (small) table; deliveries waiting on a disabled one (or a
 *   disabled collection or tenant) in the same pass over pending rows, against the (small) disabled sets.
 * - with a tenant, every part is narrowed to its rows (`tenant = ?`).
 *
 * The states are literals, not parameters: SQLite only uses a partial index when the query's
 * WHERE visibly implies the index's, and `state = 'dead'` alone does not imply
 * `state <> 'pending'` to its planner.
 */
function statsSql(t: string): string {
  return `
SELECT p.pending, p.due, p.in_flight, p.oldest_delivery, p.waiting_on_disabled,
  (SELECT count(*) FROM hookbox_messages WHERE expanded = 0${t}) AS unexpanded,
  (SELECT created_at FROM hookbox_messages WHERE expanded = 0${t} ORDER BY seq LIMIT 1) AS oldest_message,
  (SELECT count(*) FROM hookbox_deliveries WHERE state = 'dead' AND state <> 'pending'${t}) AS dead,
  (SELECT count(*) FROM hookbox_deliveries WHERE state = 'failed' AND state <> 'pending'${t}) AS failed,
  (SELECT count(*) FROM hookbox_endpoints WHERE enabled = 1 AND paused_until > ?${t}) AS paused,
  (SELECT count(*) FROM hookbox_endpoints WHERE enabled = 0${t}) AS disabled
FROM (
  SELECT count(*) AS pending,
    coalesce(sum(next_attempt_at <= ?), 0) AS due,
    coalesce(sum(lease_until > ?), 0) AS in_flight,
    min(window_start) AS oldest_delivery,
    coalesce(sum(endpoint_id IN (SELECT id FROM hookbox_endpoints WHERE enabled = 0)
      OR collection IN (SELECT name FROM hookbox_collections WHERE enabled = 0)
      OR tenant IN (SELECT tenant FROM hookbox_tenants WHERE enabled = 0)), 0) AS waiting_on_disabled
  FROM hookbox_deliveries WHERE state = 'pending'${t}
) p`
}
const ALL_SQL = statsSql('')
const TENANT_SQL = statsSql(' AND tenant = ?')

/** Reads {@link StoreStats} at `now` on the executor's connection. */
export function readStats(x: SyncExecutor, { now, tenant }: StatsRequest): StoreStats {
  const query =
    tenant === undefined
      ? CompiledQuery.raw(ALL_SQL, [now, now, now])
      : ((t) => CompiledQuery.raw(TENANT_SQL, [t, t, t, t, now, t, t, now, now, t]))(tenantToColumn(tenant))
  const [r] = x.all(query as CompiledQuery<StatsRow>)
  if (!r) throw new StoreError('hookbox: the stats query returned no row')
  const oldest = [r.oldest_delivery, r.oldest_message].filter((t): t is number => t !== null)
  return {
    pending: r.pending,
    due: r.due,
    inFlight: r.in_flight,
    oldestPendingCreatedAt: oldest.length ? Math.min(...oldest) : null,
    dead: r.dead,
    failed: r.failed,
    unexpandedMessages: r.unexpanded,
    pausedEndpoints: r.paused,
    disabledEndpoints: r.disabled,
    waitingOnDisabled: r.waiting_on_disabled,
  }
}
