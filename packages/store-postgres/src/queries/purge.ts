import type { PurgeCounts, PurgeOptions } from '@hookbox/core'
import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'

/**
 * One bounded retention pass, in this order so nothing is orphaned:
 *
 * 1. up to `limit` final deliveries completed before `finishedBefore` (oldest first, skipping
 *    rows another transaction holds) with ALL their attempts, in one statement, so every pass
 *    removes whole deliveries however many attempts each has;
 * 2. up to `limit` expanded messages created before it with no delivery left (this sees step
 *    1's deletions), except those whose idempotency key is still inside its window, and the
 *    idempotency keys that pointed at them;
 * 3. up to `limit` results expired at `now`.
 *
 * Call it again until it returns fewer than `limit` of each to catch up with a backlog.
 */
export async function purgeFinished(x: PostgresExecutor, o: PurgeOptions): Promise<PurgeCounts> {
  const t = (name: string) => x.t(name)
  const finished = await x.rows<{ deliveries: string; attempts: string }>(sql`
    WITH picked AS (
      SELECT id FROM ${t('deliveries')}
      WHERE state <> 'pending' AND completed_at < ${o.finishedBefore}
      ORDER BY completed_at
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED
    ),
    attempts_gone AS (
      DELETE FROM ${t('attempts')} a USING picked p WHERE a.delivery_id = p.id RETURNING 1
    ),
    deliveries_gone AS (
      DELETE FROM ${t('deliveries')} d USING picked p WHERE d.id = p.id RETURNING 1
    )
    SELECT (SELECT count(*) FROM deliveries_gone) AS deliveries, (SELECT count(*) FROM attempts_gone) AS attempts`)
  const gone = await x.rows<{ n: string }>(sql`
    WITH gone AS (
      DELETE FROM ${t('messages')} WHERE id IN (
        SELECT m.id FROM ${t('messages')} m
        WHERE m.expanded AND m.created_at < ${o.finishedBefore}
          AND (m.idempotency_key IS NULL OR m.created_at < ${o.keepIdempotencySince})
          -- Through the deliveries' block index (migration 21): \`seq\` is the message's own.
          AND NOT EXISTS (SELECT 1 FROM ${t('deliveries')} d
            WHERE (d.message_seq >> 8) = (m.seq >> 8) AND d.tenant = m.tenant AND d.message_seq = m.seq)
        ORDER BY m.created_at
        LIMIT ${o.limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, idempotency_key),
    keys AS (
      DELETE FROM ${t('idempotency_keys')} k USING gone g
      WHERE k.key = g.idempotency_key AND k.message_id = g.id AND k.created_at < ${o.keepIdempotencySince})
    SELECT count(*) AS n FROM gone`)
  const expired = await x.rows<{ n: string }>(sql`
    WITH gone AS (
      DELETE FROM ${t('results')} WHERE (tenant, request_id) IN (
        SELECT tenant, request_id FROM ${t('results')} WHERE expires_at <= ${o.now} ORDER BY expires_at LIMIT ${o.limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING 1)
    SELECT count(*) AS n FROM gone`)
  return {
    messages: Number(gone[0]?.n ?? 0),
    deliveries: Number(finished[0]?.deliveries ?? 0),
    attempts: Number(finished[0]?.attempts ?? 0),
    results: Number(expired[0]?.n ?? 0),
  }
}
