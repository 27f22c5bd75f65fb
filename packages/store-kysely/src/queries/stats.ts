import { andThen, StoreError, tenantToColumn, type StatsRequest, type StoreStats } from '@hookbox/core'
import { CompiledQuery } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import type { MaybePromise } from '../plan.js'

/** Counts arrive as numbers (SQLite), or as BIGINT and DECIMAL strings (mysql2): read through `Number`. */
type StatsRow = Record<
  | 'pending'
  | 'due'
  | 'in_flight'
  | 'oldest_delivery'
  | 'oldest_message'
  | 'unexpanded'
  | 'dead'
  | 'failed'
  | 'paused'
  | 'disabled'
  | 'waiting_on_disabled',
  number | string | null
>

/**
 * One statement, every part of it bounded by work that is owed rather than by history:
 *
 * - pending deliveries through `hookbox_deliveries_due` (`WHERE state = 'pending'`);
 * - unexpanded messages through `hookbox_messages_unexpanded`, the oldest being the lowest `seq`;
 * - dead and failed through `hookbox_deliveries_final (state, completed_at)`, a range of it
 *   each, never the `delivered` rows;
 * - endpoints by a scan of their (small) table; deliveries waiting on a disabled one (or a
 *   disabled collection or tenant) in the same pass over pending rows, against the (small) disabled sets.
 * - with a tenant, every part is narrowed to its rows (`tenant = ?`); the deliveries' parts
 *   through the store's tenant index ({@link KyselyDialect.deliveriesOfTenant}), block by block:
 *   a tenant's dead letters, not every tenant's.
 *
 * The states are literals, not parameters: SQLite only uses a partial index when the query's
 * WHERE visibly implies the index's, and `state = 'dead'` alone does not imply
 * `state <> 'pending'` to its planner (MariaDB's EXPLAIN is the same with and without it).
 */
function statsQuery(d: KyselyDialect, now: number, tenant: string | undefined): CompiledQuery<StatsRow> {
  const tables = ['hookbox_messages', 'hookbox_deliveries', 'hookbox_endpoints', 'hookbox_collections', 'hookbox_tenants'] as const
  const [messages, deliveries, endpoints, collections, tenants] = tables.map((t) => d.table(t))
  const t = tenant === undefined ? '' : ' AND tenant = ?'
  const ofTenant = tenant === undefined ? undefined : d.deliveriesOfTenant(tenant).compile(d.qb)
  const mine = ofTenant ? ` AND ${ofTenant.sql}` : ''
  return CompiledQuery.raw(
    `
SELECT p.pending, p.due, p.in_flight, p.oldest_delivery, p.waiting_on_disabled,
  (SELECT count(*) FROM ${messages} WHERE expanded = 0${t}) AS unexpanded,
  (SELECT created_at FROM ${messages} WHERE expanded = 0${t} ORDER BY seq LIMIT 1) AS oldest_message,
  (SELECT count(*) FROM ${deliveries} WHERE state = 'dead' AND state <> 'pending'${mine}) AS dead,
  (SELECT count(*) FROM ${deliveries} WHERE state = 'failed' AND state <> 'pending'${mine}) AS failed,
  (SELECT count(*) FROM ${endpoints} WHERE enabled = 1 AND paused_until > ?${t}) AS paused,
  (SELECT count(*) FROM ${endpoints} WHERE enabled = 0${t}) AS disabled
FROM (
  SELECT count(*) AS pending,
    coalesce(sum(next_attempt_at <= ?), 0) AS due,
    coalesce(sum(lease_until > ?), 0) AS in_flight,
    min(window_start) AS oldest_delivery,
    coalesce(sum(endpoint_id IN (SELECT id FROM ${endpoints} WHERE enabled = 0)
      OR collection IN (SELECT name FROM ${collections} WHERE enabled = 0)
      OR tenant IN (SELECT tenant FROM ${tenants} WHERE enabled = 0)), 0) AS waiting_on_disabled
  FROM ${deliveries} WHERE state = 'pending'${mine}
) p`,
    ofTenant === undefined
      ? [now, now, now]
      : [tenant, tenant, ...ofTenant.parameters, ...ofTenant.parameters, now, tenant, tenant, now, now, ...ofTenant.parameters],
  ) as CompiledQuery<StatsRow>
}

/** Reads {@link StoreStats} at `now` on the store's own connection. */
export function readStats(d: KyselyDialect, { now, tenant }: StatsRequest): MaybePromise<StoreStats> {
  return andThen(d.exec(statsQuery(d, now, tenant === undefined ? undefined : tenantToColumn(tenant))), ({ rows }) => {
    const [r] = rows as StatsRow[]
    if (!r) throw new StoreError('hookbox: the stats query returned no row')
    const n = (v: number | string | null) => Number(v ?? 0)
    const oldest = [r.oldest_delivery, r.oldest_message].filter((t) => t !== null).map(Number)
    return {
      pending: n(r.pending),
      due: n(r.due),
      inFlight: n(r.in_flight),
      oldestPendingCreatedAt: oldest.length ? Math.min(...oldest) : null,
      dead: n(r.dead),
      failed: n(r.failed),
      unexpandedMessages: n(r.unexpanded),
      pausedEndpoints: n(r.paused),
      disabledEndpoints: n(r.disabled),
      waitingOnDisabled: n(r.waiting_on_disabled),
    }
  })
}
