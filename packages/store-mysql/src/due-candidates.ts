import type { ClaimCandidates, ClaimPosition } from '@hookbox/store-kysely'
import { sql } from 'kysely'
import type { MysqlExecutor } from './mysql-executor.js'

/** The claim order, which `hookbox_deliveries_due` (state, next_attempt_at, message_seq, id) keeps. */
const ORDER = sql.raw('ORDER BY next_attempt_at, message_seq, id')

/**
 * The first `size` deliveries due at `now` in claim order (any endpoint, leased or not), read
 * from `hookbox_deliveries_due` alone: the candidates a claim that skips endpoints tries first.
 * When they hold its batch, the batch is the one the whole due index gives.
 */
export function dueWindow(x: MysqlExecutor, now: number, size: number): ClaimCandidates {
  return {
    key: 'window',
    ids: sql`SELECT id FROM ${sql.raw(x.table('hookbox_deliveries'))} FORCE INDEX (hookbox_deliveries_due)
      WHERE state = 'pending' AND next_attempt_at <= ${now} ${ORDER} LIMIT ${size}`,
    values: [now, size],
  }
}

/**
 * The first `size` deliveries due at `now` in claim order with no endpoint or one outside
 * `skip`, read as ranges around the skipped ids of `hookbox_deliveries_pending_endpoint` (state,
 * pending_endpoint_id, next_attempt_at; migrations 7 and 9: the endpoint while pending), then sorted: never a skipped endpoint's row (left
 * to itself, the optimizer walks the due index through their backlog whenever the other
 * endpoints have more than a few due).
 */
export function dueAround(x: MysqlExecutor, now: number, skip: readonly string[], size: number): ClaimCandidates {
  return {
    key: `around:${skip.length}`,
    ids: sql`SELECT id FROM ${sql.raw(x.table('hookbox_deliveries'))} FORCE INDEX (hookbox_deliveries_pending_endpoint)
      WHERE state = 'pending' AND (pending_endpoint_id IS NULL OR pending_endpoint_id NOT IN (${sql.join(skip)})) AND next_attempt_at <= ${now}
      ${ORDER} LIMIT ${size}`,
    values: [...skip, now, size],
  }
}

/**
 * The first `size` deliveries due at `now` from `from` on in claim order (`from` included), with
 * no endpoint or one outside `skip`, leased by no one (the dispatcher's own in-flight deliveries
 * lie at the front): a range of `hookbox_deliveries_due` from a `SkipHints` hint on, reading a
 * skipped endpoint's deliveries only where they lie among the others'. The position is spelled
 * out as three ranges of the index (MariaDB seeks none for a row comparison, nor for
 * `next_attempt_at >= ? AND (... OR ...)`: it read the whole backlog due at the hint's time).
 */
export function dueAfter(x: MysqlExecutor, now: number, skip: readonly string[], from: ClaimPosition, size: number): ClaimCandidates {
  const { nextAttemptAt: t, messageSeq: s, id } = from
  return {
    key: `after:${skip.length}`,
    ids: sql`SELECT id FROM ${sql.raw(x.table('hookbox_deliveries'))} FORCE INDEX (hookbox_deliveries_due)
      WHERE state = 'pending' AND ((next_attempt_at = ${t} AND message_seq = ${s} AND id >= ${id})
        OR (next_attempt_at = ${t} AND message_seq > ${s}) OR (next_attempt_at > ${t} AND next_attempt_at <= ${now}))
      AND (endpoint_id IS NULL OR endpoint_id NOT IN (${sql.join(skip)})) AND (lease_until IS NULL OR lease_until <= ${now})
      ${ORDER} LIMIT ${size}`,
    values: [t, s, id, t, s, t, now, ...skip, now, size],
  }
}

/** The first delivery {@link dueAround} selects, as a {@link ClaimPosition}: where a hint starts. */
export function firstAround(x: MysqlExecutor, now: number, skip: readonly string[]) {
  return sql<ClaimPosition>`SELECT next_attempt_at AS nextAttemptAt, message_seq AS messageSeq, id
    FROM ${sql.raw(x.table('hookbox_deliveries'))} FORCE INDEX (hookbox_deliveries_pending_endpoint)
    WHERE state = 'pending' AND (pending_endpoint_id IS NULL OR pending_endpoint_id NOT IN (${sql.join(skip)})) AND next_attempt_at <= ${now}
    ${ORDER} LIMIT 1`
}
