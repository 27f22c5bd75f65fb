import { tenantToColumn, type ResultRecord } from '@hookbox/core'
import type { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { resultFromRow, resultToRow } from '../rows.js'

/** The statement that stores (or replaces) a result, to run on the store's connection or the host's transaction. */
export function putResultQuery(x: MysqlExecutor, result: ResultRecord): CompiledQuery {
  const row = resultToRow(result)
  const { request_id: _id, tenant: _tenant, ...changes } = row
  return x.qb.insertInto('hookbox_results').values(row).onDuplicateKeyUpdate(changes).compile()
}

/** The result stored for exactly this tenant, unless it has expired at `now`. */
export async function getResult(
  x: MysqlExecutor,
  { requestId, tenant, now }: { requestId: string; tenant: string | null; now: number },
): Promise<ResultRecord | undefined> {
  const r = await x.one(
    x.qb
      .selectFrom('hookbox_results')
      .selectAll()
      .where('tenant', '=', tenantToColumn(tenant))
      .where('request_id', '=', requestId)
      .where('expires_at', '>', now),
  )
  return r && resultFromRow(r)
}
