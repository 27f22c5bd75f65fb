import type { ExpandRequest, ExpandResult } from '@hookbox/core'
import { expandMessages as expandPlan, type KyselyDialect, type PickedMessage } from '@hookbox/store-kysely'
import { sql } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'

/**
 * Expands up to `limit` messages in ONE READ COMMITTED transaction of the shared statements
 * (its `FOR UPDATE SKIP LOCKED` scans an index range: no gap locks), after a cheap look-up
 * unless `lookFirst` is false (the previous pass took a full batch: more are likely waiting,
 * and a pass that finds none after all only costs an empty transaction).
 */
export async function expandMessages(x: MysqlExecutor, d: KyselyDialect, request: ExpandRequest, lookFirst = true): Promise<ExpandResult> {
  if (lookFirst) {
    // Most passes find nothing: one autocommit look-up instead of a whole transaction.
    const any = await x.one(x.qb.selectFrom('hookbox_messages').select('seq').where('expanded', '=', sql.lit(0)).limit(1))
    if (!any) return { expanded: 0, claims: [] }
  }
  return d.transaction(expandPlan(d, request, unexpandedMessages(x, request.limit)), 'scan')
}

/**
 * The shared pick through `hookbox_messages_unexpanded` (expanded, seq), forced: left to itself
 * the optimizer walks the primary key in `seq` order through every expanded message still kept
 * (until retention purges them), 2,100 rows read for a batch of 100 behind 2,000 expanded. It
 * reads the config version too (one statement less): `FOR UPDATE` locks no row of a subquery,
 * so a config change neither waits for it nor is skipped by it.
 */
function unexpandedMessages(x: MysqlExecutor, limit: number) {
  return x.text<PickedMessage>(
    'expand:unexpanded',
    [limit],
    () =>
      `SELECT m.*, (SELECT version FROM ${x.table('hookbox_config_version')}) AS hookbox_config_version
FROM ${x.table('hookbox_messages')} m FORCE INDEX (hookbox_messages_unexpanded) WHERE expanded = 0 ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED`,
  )
}
