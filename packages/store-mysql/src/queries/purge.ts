import type { PurgeCounts, PurgeOptions } from '@hookbox/core'
import { sql } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'

/**
 * One bounded retention pass in one transaction, in this order so nothing is orphaned: up to
 * `limit` final deliveries completed before `finishedBefore` with ALL their attempts; up to
 * `limit` expanded messages created before it with no delivery left, except those whose
 * idempotency key is still inside its window, and the keys they held; up to `limit` results
 * expired at `now`. Ids are read first: MySQL takes no LIMIT in an `IN (subquery)`.
 */
export async function purgeFinished(x: MysqlExecutor, o: PurgeOptions): Promise<PurgeCounts> {
  return x.tx(async (x) => {
    const { qb } = x
    const ids = (
      await x.all(
        qb
          .selectFrom('hookbox_deliveries')
          .select('id')
          .where('state', '<>', 'pending')
          .where('completed_at', '<', o.finishedBefore)
          .limit(o.limit)
          .forUpdate()
          .skipLocked(),
      )
    ).map((r) => r.id)
    const attempts = ids.length ? await x.run(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', ids)) : 0
    const deliveries = ids.length ? await x.run(qb.deleteFrom('hookbox_deliveries').where('id', 'in', ids)) : 0
    const gone = await x.all(
      qb
        .selectFrom('hookbox_messages as m')
        .select(['m.seq', 'm.id', 'm.idempotency_key'])
        .where('m.expanded', '=', 1)
        .where('m.created_at', '<', o.finishedBefore)
        .where((w) => w.or([w('m.idempotency_key', 'is', null), w('m.created_at', '<', o.keepIdempotencySince)]))
        .where((w) =>
          w.not(w.exists(w.selectFrom('hookbox_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.message_id', '=', 'm.id'))),
        )
        .orderBy('m.created_at')
        .limit(o.limit),
    )
    const messages = gone.length
      ? await x.run(
          qb.deleteFrom('hookbox_messages').where(
            'seq',
            'in',
            gone.map((r) => r.seq),
          ),
        )
      : 0
    const keyed = gone.filter((r) => r.idempotency_key !== null).map((r) => r.id)
    if (keyed.length)
      await x.run(
        qb.deleteFrom('hookbox_idempotency_keys').where('message_id', 'in', keyed).where('created_at', '<', o.keepIdempotencySince),
      )
    const resultKeys = await x.all(
      qb
        .selectFrom('hookbox_results')
        .select(['tenant', 'request_id'])
        .where('expires_at', '<=', o.now)
        .orderBy('expires_at')
        .limit(o.limit),
    )
    const results = resultKeys.length
      ? await x.run(
          qb
            .deleteFrom('hookbox_results')
            .where((w) => w.or(resultKeys.map((k) => w.and([w('tenant', '=', k.tenant), w('request_id', '=', k.request_id)])))),
        )
      : 0
    return { messages, deliveries, attempts, results }
  }, 'scan')
}
