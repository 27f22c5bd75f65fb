import type { PurgeCounts, PurgeOptions } from '@hookbox/core'
import { sql } from 'kysely'
import type { KyselyDialect } from '../dialect.js'
import { changes, rows, type MaybePromise, type Plan } from '../plan.js'

/**
 * One bounded retention pass in one transaction, in this order so nothing is orphaned: up to
 * `limit` final deliveries completed before `finishedBefore` (skipping rows others hold) with
 * ALL their attempts; up to `limit` expanded messages created before it with no delivery left,
 * except those whose idempotency key is still inside its window, and the keys they held; up to
 * `limit` results expired at `now`. Ids are read first: MySQL takes no LIMIT in an
 * `IN (subquery)`.
 */
export function purgeFinished(d: KyselyDialect, o: PurgeOptions): MaybePromise<PurgeCounts> {
  return d.transaction(purgePlan(d, o), 'scan')
}

function* purgePlan(d: KyselyDialect, o: PurgeOptions): Plan<PurgeCounts> {
  const { qb } = d
  const finished = qb
    .selectFrom('hookbox_deliveries')
    .select('id')
    .where('state', '<>', 'pending')
    .where('completed_at', '<', o.finishedBefore)
    .limit(o.limit)
  const ids = (yield* rows(d.lock(finished, 'skip locked'))).map((r) => r.id)
  const attempts = ids.length ? yield* changes(qb.deleteFrom('hookbox_attempts').where('delivery_id', 'in', ids)) : 0
  const deliveries = ids.length ? yield* changes(qb.deleteFrom('hookbox_deliveries').where('id', 'in', ids)) : 0
  const gone = yield* rows(
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
  const seqs = gone.map((r) => r.seq)
  const messages = seqs.length ? yield* changes(qb.deleteFrom('hookbox_messages').where('seq', 'in', seqs)) : 0
  const keyed = gone.filter((r) => r.idempotency_key !== null).map((r) => r.id)
  if (keyed.length)
    yield* changes(
      qb.deleteFrom('hookbox_idempotency_keys').where('message_id', 'in', keyed).where('created_at', '<', o.keepIdempotencySince),
    )
  const results = yield* d.purgeResults(o)
  return { messages, deliveries, attempts, results }
}
