import type { ClaimCandidates, ClaimPosition, KyselyDialect } from '@hookbox/store-kysely'
import { sql, type RawBuilder } from 'kysely'

/** `hookbox_deliveries_endpoint_due_block` leads with blocks of 2^BITS = 512 message sequence numbers (migration 13). */
const BITS = 9
/** The block of message sequence numbers of a delivery, as the index's expression. */
const BLOCK = sql.raw(`(message_seq >> ${BITS})`)
const PENDING = sql.raw(`hookbox_deliveries INDEXED BY hookbox_deliveries_endpoint_due_block WHERE state = 'pending'`)
const DUE_INDEX = sql.raw(`hookbox_deliveries INDEXED BY hookbox_deliveries_due WHERE state = 'pending'`)

/**
 * The first `size` deliveries due at `now` in claim order (any endpoint, leased or not): the
 * candidates a claim that skips endpoints tries first. When they hold its batch, the batch is
 * the one the whole due index gives.
 */
export function dueWindow(now: number, size: number): ClaimCandidates {
  return {
    key: 'window',
    ids: sql`SELECT id FROM ${DUE_INDEX} AND next_attempt_at <= ${now} ORDER BY next_attempt_at, message_seq, id LIMIT ${size}`,
    values: [now, size],
  }
}

/**
 * Every pending delivery due at `now` with no endpoint or an endpoint outside `skip`, never one
 * of the skipped ones: it walks the blocks that hold pending deliveries (one seek each, lowest
 * first) and, in each, reads no endpoint's and every gap around the skipped ids (in byte order,
 * as SQLite's BINARY collation sorts them), each a seek into
 * hookbox_deliveries_endpoint_due_block (migration 13). A skipped endpoint's backlog costs a
 * few seeks per block, not a read per delivery.
 */
export function dueAround(now: number, skip: readonly string[]): ClaimCandidates {
  return walk(now, skip, sql`x.id`, 'around')
}

/**
 * The first delivery {@link dueAround} selects, in claim order, as a {@link ClaimPosition}
 * (none: it selects nothing): where a skip hint starts. The walk hands on each delivery's
 * claim order from the row it reads for its id, so the sort looks none up again by id (two
 * seeks per due delivery of the other endpoints: 2,000 in the head-of-line bench).
 */
export function firstAround(d: KyselyDialect, now: number, skip: readonly string[]) {
  const columns = sql`x.next_attempt_at AS next_attempt_at, x.message_seq AS message_seq, x.id AS id`
  const around = walk(now, skip, columns, 'first-around')
  return {
    key: around.key,
    values: around.values,
    query: () =>
      d.qb
        .selectFrom(sql<{ next_attempt_at: number; message_seq: number; id: string }>`(${around.ids})`.as('w'))
        .select(['w.next_attempt_at as nextAttemptAt', 'w.message_seq as messageSeq', 'w.id as id'])
        .orderBy('w.next_attempt_at')
        .orderBy('w.message_seq')
        .orderBy('w.id')
        .limit(sql.lit(1))
        .$castTo<ClaimPosition>(), // due, so its next attempt is set
  }
}

/** {@link dueAround}'s walk, selecting `columns` of each delivery (`x`); `name` keys its shape. */
function walk(now: number, skip: readonly string[], columns: RawBuilder<unknown>, name: string): ClaimCandidates {
  const ids = [...new Set(skip)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const gaps = [...ids.map((before, i) => ({ after: ids[i - 1], before })), { after: ids.at(-1), before: undefined }]
  const values: unknown[] = []
  const due = (bounds: RawBuilder<unknown>) => {
    values.push(now)
    return sql`SELECT ${columns} FROM blocks CROSS JOIN hookbox_deliveries AS x INDEXED BY hookbox_deliveries_endpoint_due_block
    WHERE x.state = 'pending' AND ${sql.raw(`(x.message_seq >> ${BITS})`)} = blocks.b AND ${bounds} AND x.next_attempt_at <= ${now}`
  }
  const branches = [due(sql`x.endpoint_id IS NULL`)]
  for (const { after, before } of gaps) {
    const bounds = [sql`x.endpoint_id IS NOT NULL`]
    if (after !== undefined) bounds.push(sql`x.endpoint_id > ${after}`)
    if (before !== undefined) bounds.push(sql`x.endpoint_id < ${before}`)
    // In the text's order: the bounds, then the due time.
    values.push(...[after, before].filter((id) => id !== undefined))
    branches.push(due(sql.join(bounds, sql` AND `)))
  }
  return {
    key: `${name}:${ids.length}`,
    ids: sql`WITH RECURSIVE blocks(b) AS (
  SELECT min${BLOCK} FROM ${PENDING}
  UNION ALL SELECT (SELECT min${BLOCK} FROM ${PENDING} AND ${BLOCK} > b) FROM blocks WHERE b IS NOT NULL
) ${sql.join(branches, sql`\nUNION ALL `)}`,
    values,
  }
}

/**
 * The first `size` deliveries due at `now` from `from` on in claim order (`from` included),
 * with no endpoint or one outside `skip`, leased by no one (the dispatcher's own in-flight
 * deliveries lie at the front): a range of hookbox_deliveries_due (migration 4) from
 * a {@link SkipHints} hint on, reading a skipped endpoint's deliveries only where they lie
 * among the others'.
 */
export function dueAfter(now: number, skip: readonly string[], from: ClaimPosition, size: number): ClaimCandidates {
  const ids = [...new Set(skip)]
  const outside = sql.join(ids.map((id) => sql`${id}`))
  return {
    key: `after:${ids.length}`,
    ids: sql`SELECT id FROM ${DUE_INDEX} AND (next_attempt_at, message_seq, id) >= (${from.nextAttemptAt}, ${from.messageSeq}, ${from.id})
  AND next_attempt_at <= ${now} AND (endpoint_id IS NULL OR endpoint_id NOT IN (${outside}))
  AND (lease_until IS NULL OR lease_until <= ${now})
  ORDER BY next_attempt_at, message_seq, id LIMIT ${size}`,
    values: [from.nextAttemptAt, from.messageSeq, from.id, now, ...ids, now, size],
  }
}
