import type { ResultRecord } from '@hookbox/core'
import type { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { resultFromRow, resultToRow } from '../rows.js'

/** The statement that stores (or replaces) a result, to run on the store's connection or the host's transaction. */
export function putResultQuery(x: MysqlExecutor, result: ResultRecord): CompiledQuery {
  const row = resultToRow(result)
  const { request_id: _id, ...changes } = row
  return x.qb.insertInto('hookbox_results').values(row).onDuplicateKeyUpdate(changes).compile()
}

/** A result unless it has expired at `now`. */
export async function getResult(
  x: MysqlExecutor,
  { requestId, now }: { requestId: string; now: number },
): Promise<ResultRecord | undefined> {
  const r = await x.one(x.qb.selectFrom('hookbox_results').selectAll().where('request_id', '=', requestId).where('expires_at', '>', now))
  return r && resultFromRow(r)
}
