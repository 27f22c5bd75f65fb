import { StoreError, type StoreStats } from '@hookbox/core'
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
 *   disabled collection) in the same pass over pending rows, against the (small) disabled sets.
 *
 * The states are literals, not parameters: SQLite only uses a partial index when the query's
 * WHERE visibly implies the index's, and `state = 'dead'` alone does not imply
 * `state <> 'pending'` to its planner.
 */
const STATS_SQL = `
SELECT p.pending, p.due, p.in_flight, p.oldest_delivery, p.waiting_on_disabled,
  (SELECT count(*) FROM hookbox_messages WHERE expanded = 0) AS unexpanded,
  (SELECT created_at FROM hookbox_messages WHERE expanded = 0 ORDER BY seq LIMIT 1) AS oldest_message,
  (SELECT count(*) FROM hookbox_deliveries WHERE state = 'dead' AND state <> 'pending') AS dead,
  (SELECT count(*) FROM hookbox_deliveries WHERE state = 'failed' AND state <> 'pending') AS failed,
  (SELECT count(*) FROM hookbox_endpoints WHERE enabled = 1 AND paused_until > ?) AS paused,
  (SELECT count(*) FROM hookbox_endpoints WHERE enabled = 0) AS disabled
FROM (
  SELECT count(*) AS pending,
    coalesce(sum(next_attempt_at <= ?), 0) AS due,
    coalesce(sum(lease_until > ?), 0) AS in_flight,
    min(window_start) AS oldest_delivery,
    coalesce(sum(endpoint_id IN (SELECT id FROM hookbox_endpoints WHERE enabled = 0)
      OR collection IN (SELECT name FROM hookbox_collections WHERE enabled = 0)), 0) AS waiting_on_disabled
  FROM hookbox_deliveries WHERE state = 'pending'
) p`

/** Reads {@link StoreStats} at `now` on the executor's connection. */
export function readStats(x: SyncExecutor, { now }: { now: number }): StoreStats {
  const [r] = x.all(CompiledQuery.raw(STATS_SQL, [now, now, now]) as CompiledQuery<StatsRow>)
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
