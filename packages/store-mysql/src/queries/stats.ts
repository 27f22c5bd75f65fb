import { StoreError, tenantToColumn, type StatsRequest, type StoreStats } from '@hookbox/core'
import { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'

/** Counts arrive as BIGINT and sums as DECIMAL (a string in mysql2): read through `Number`. */
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
 * One statement, every part of it bounded by work that is owed rather than by history: pending
 * deliveries and each final state through the indexes that lead with `state`
 * (`hookbox_deliveries_due`, `hookbox_deliveries_final`), never the `delivered` rows;
 * unexpanded messages through `hookbox_messages_unexpanded`; endpoints by a scan of their
 * (small) table; deliveries waiting on a disabled one (or a disabled collection or tenant) in the
 * same pass over pending rows, against the (small) disabled sets; with a tenant, each part narrowed to its rows.
 */
function statsQuery(x: MysqlExecutor, now: number, tenant: string | undefined): CompiledQuery<StatsRow> {
  const tables = ['hookbox_messages', 'hookbox_deliveries', 'hookbox_endpoints', 'hookbox_collections', 'hookbox_tenants'] as const
  const [messages, deliveries, endpoints, collections, tenants] = tables.map((t) => x.table(t))
  const t = tenant === undefined ? '' : ' AND tenant = ?'
  return CompiledQuery.raw(
    `
SELECT p.pending, p.due, p.in_flight, p.oldest_delivery, p.waiting_on_disabled,
  (SELECT count(*) FROM ${messages} WHERE expanded = 0${t}) AS unexpanded,
  (SELECT created_at FROM ${messages} WHERE expanded = 0${t} ORDER BY seq LIMIT 1) AS oldest_message,
  (SELECT count(*) FROM ${deliveries} WHERE state = 'dead'${t}) AS dead,
  (SELECT count(*) FROM ${deliveries} WHERE state = 'failed'${t}) AS failed,
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
  FROM ${deliveries} WHERE state = 'pending'${t}
) p`,
    tenant === undefined ? [now, now, now] : [tenant, tenant, tenant, tenant, now, tenant, tenant, now, now, tenant],
  ) as CompiledQuery<StatsRow>
}

/** Reads {@link StoreStats} at `now`. */
export async function readStats(x: MysqlExecutor, { now, tenant }: StatsRequest): Promise<StoreStats> {
  const [r] = await x.all(statsQuery(x, now, tenant === undefined ? undefined : tenantToColumn(tenant)))
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
}
