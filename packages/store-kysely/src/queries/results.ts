import { tenantToColumn, type ResultRecord } from '@hookbox/core'
import type { CompiledQuery } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import { selectOne, type MaybePromise } from '../plan.js'

/** The statement that stores (or replaces) a result, to run on the store's connection or the host's transaction. */
export function putResultQuery(d: KyselyDialect, result: ResultRecord): CompiledQuery {
  const row = d.rows.resultToRow(result)
  const { request_id: _id, tenant: _tenant, ...changes } = row
  return d.upsert(d.qb.insertInto('hookbox_results').values(row), ['tenant', 'request_id'], changes).compile()
}

/** The result stored for exactly this tenant, unless it has expired at `now`. */
export function getResult(
  d: KyselyDialect,
  { requestId, tenant, now }: { requestId: string; tenant: string | null; now: number },
): MaybePromise<ResultRecord | undefined> {
  const q = d.qb
    .selectFrom('hookbox_results')
    .selectAll()
    .where('tenant', '=', tenantToColumn(tenant))
    .where('request_id', '=', requestId)
    .where('expires_at', '>', now)
  return selectOne(d.exec, q, d.rows.resultFromRow)
}
