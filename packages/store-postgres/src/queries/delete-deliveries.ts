import type { DeleteDeliveriesRequest } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'

/** Deletes the deliveries among `ids` in one of `states`, with their attempts, in one statement; returns how many. */
export async function deleteDeliveries(x: PostgresExecutor, { ids, states }: DeleteDeliveriesRequest): Promise<number> {
  if (ids.length === 0 || states.length === 0) return 0
  const rows = await x.rows<{ n: string }>(sql`
    WITH gone AS (
      DELETE FROM ${x.t('deliveries')} WHERE id = ANY(${ids}::text[]) AND state = ANY(${states}::text[]) RETURNING id),
    attempts AS (DELETE FROM ${x.t('attempts')} a USING gone g WHERE a.delivery_id = g.id)
    SELECT count(*) AS n FROM gone`)
  return Number(rows[0]?.n ?? 0)
}
