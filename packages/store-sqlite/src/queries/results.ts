import { tenantToColumn, type ResultRecord } from '@hookbox/core'
import type { CompiledQuery } from 'kysely'
import { resultFromRow, resultToRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/** The statement that stores (or replaces) a result, to run on the store's connection or the host's transaction. */
export function putResultQuery(x: SyncExecutor, result: ResultRecord): CompiledQuery {
  const row = resultToRow(result)
  const { request_id: _id, tenant: _tenant, ...changes } = row
  return x.qb
    .insertInto('hookbox_results')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant', 'request_id']).doUpdateSet(changes))
    .compile()
}

/** The result stored for exactly this tenant, unless it has expired at `now`. */
export function getResult(
  x: SyncExecutor,
  { requestId, tenant, now }: { requestId: string; tenant: string | null; now: number },
): ResultRecord | undefined {
  const r = x.one(
    x.qb
      .selectFrom('hookbox_results')
      .selectAll()
      .where('tenant', '=', tenantToColumn(tenant))
      .where('request_id', '=', requestId)
      .where('expires_at', '>', now),
  )
  return r && resultFromRow(r)
}
