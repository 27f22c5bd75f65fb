import { StoreError, tenantToColumn, type StatsRequest, type StoreStats } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'
import { ofTenant } from '../tenant-blocks.js'

interface StatsRow {
  pending: string
  due: string
  in_flight: string
  oldest_delivery: string | null
  oldest_message: string | null
  unexpanded: string
  dead: string
  failed: string
  paused: string
  disabled: string
  waiting_on_disabled: string
}

/**
 * Reads {@link StoreStats} in one statement (one snapshot), each part bounded by work that is
 * owed rather than by history:
 *
 * - pending deliveries through the partial index `deliveries_due` (`WHERE state = 'pending'`);
 * - unexpanded messages through `messages_unexpanded`, the oldest being the lowest `seq`;
 * - dead and failed as index-only ranges of `deliveries_state_id (state, id)`: `delivered`
 *   rows are never read;
 * - endpoints by a scan of their (small) table; deliveries waiting on a disabled one (or a
 *   disabled collection or tenant) in the same pass over pending rows, against the (small) disabled sets;
 * - with a tenant, every part narrowed to its rows.
 */
export async function readStats(x: PostgresExecutor, { now, tenant }: StatsRequest): Promise<StoreStats> {
  const t = (name: string) => x.t(name)
  const column = tenant === undefined ? undefined : tenantToColumn(tenant)
  const mine = column === undefined ? sql`` : sql` AND tenant = ${column}`
  // Messages and deliveries through their block-led tenant indexes (migration 14).
  const mineOf = (table: 'messages' | 'deliveries') => (column === undefined ? sql`` : sql` AND ${ofTenant(x, table, column)}`)
  const rows = await x.rows<StatsRow>(sql`
    SELECT p.pending, p.due, p.in_flight, p.oldest_delivery, p.waiting_on_disabled,
      (SELECT count(*) FROM ${t('messages')} WHERE NOT expanded${mineOf('messages')}) AS unexpanded,
      (SELECT created_at FROM ${t('messages')} WHERE NOT expanded${mineOf('messages')} ORDER BY seq LIMIT 1) AS oldest_message,
      (SELECT count(*) FROM ${t('deliveries')} WHERE state = 'dead'${mineOf('deliveries')}) AS dead,
      (SELECT count(*) FROM ${t('deliveries')} WHERE state = 'failed'${mineOf('deliveries')}) AS failed,
      (SELECT count(*) FROM ${t('endpoints')} WHERE enabled AND paused_until > ${now}${mine}) AS paused,
      (SELECT count(*) FROM ${t('endpoints')} WHERE NOT enabled${mine}) AS disabled
    FROM (
      SELECT count(*) AS pending,
        count(*) FILTER (WHERE next_attempt_at <= ${now}) AS due,
        count(*) FILTER (WHERE lease_until > ${now}) AS in_flight,
        min(window_start) AS oldest_delivery,
        count(*) FILTER (WHERE endpoint_id = ANY (ARRAY(SELECT id FROM ${t('endpoints')} WHERE NOT enabled))
          OR collection = ANY (ARRAY(SELECT name FROM ${t('collections')} WHERE NOT enabled))
          OR tenant = ANY (ARRAY(SELECT tenant FROM ${t('tenants')} WHERE NOT enabled))) AS waiting_on_disabled
      FROM ${t('deliveries')} WHERE state = 'pending'${mineOf('deliveries')}
    ) p`)
  const r = rows[0]
  if (!r) throw new StoreError('hookbox: the stats query returned no row')
  const oldest = [r.oldest_delivery, r.oldest_message].filter((v): v is string => v !== null).map(Number)
  return {
    pending: Number(r.pending),
    due: Number(r.due),
    inFlight: Number(r.in_flight),
    oldestPendingCreatedAt: oldest.length ? Math.min(...oldest) : null,
    dead: Number(r.dead),
    failed: Number(r.failed),
    unexpandedMessages: Number(r.unexpanded),
    pausedEndpoints: Number(r.paused),
    disabledEndpoints: Number(r.disabled),
    waitingOnDisabled: Number(r.waiting_on_disabled),
  }
}
