import type { PurgeCounts } from '@hookbox/core'
import { sql, type Kysely } from 'kysely'

const FINAL = sql`('delivered', 'failed', 'dead')`

/**
 * One bounded retention pass, at most `limit` rows of each kind, in this order so nothing is
 * orphaned: attempts of final deliveries completed before `finishedBefore`; those deliveries
 * once no attempt is left; expanded messages created before it with no delivery left (and the
 * idempotency keys that pointed at them); results expired at `now`. Call it again until it
 * returns zeros to catch up with a backlog.
 */
export async function purgeFinished(
  db: Kysely<any>,
  schema: string,
  o: { finishedBefore: number; now: number; limit: number },
): Promise<PurgeCounts> {
  const t = (name: string) => sql.table(`${schema}.${name}`)
  const count = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(db)).rows[0]?.n ?? 0)
  const attempts = await count(sql<{ n: string }>`
    WITH gone AS (
      DELETE FROM ${t('attempts')} WHERE id IN (
        SELECT a.id FROM ${t('deliveries')} d JOIN ${t('attempts')} a ON a.delivery_id = d.id
        WHERE d.state IN ${FINAL} AND d.completed_at < ${o.finishedBefore}
        LIMIT ${o.limit})
      RETURNING 1)
    SELECT count(*) AS n FROM gone`)
  const deliveries = await count(sql<{ n: string }>`
    WITH gone AS (
      DELETE FROM ${t('deliveries')} WHERE id IN (
        SELECT d.id FROM ${t('deliveries')} d
        WHERE d.state IN ${FINAL} AND d.completed_at < ${o.finishedBefore}
          AND NOT EXISTS (SELECT 1 FROM ${t('attempts')} a WHERE a.delivery_id = d.id)
        LIMIT ${o.limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING 1)
    SELECT count(*) AS n FROM gone`)
  const messages = await count(sql<{ n: string }>`
    WITH gone AS (
      DELETE FROM ${t('messages')} WHERE id IN (
        SELECT m.id FROM ${t('messages')} m
        WHERE m.expanded AND m.created_at < ${o.finishedBefore}
          AND NOT EXISTS (SELECT 1 FROM ${t('deliveries')} d WHERE d.message_id = m.id)
        ORDER BY m.created_at
        LIMIT ${o.limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, idempotency_key),
    keys AS (
      DELETE FROM ${t('idempotency_keys')} k USING gone g WHERE k.key = g.idempotency_key AND k.message_id = g.id)
    SELECT count(*) AS n FROM gone`)
  const results = await count(sql<{ n: string }>`
    WITH gone AS (
      DELETE FROM ${t('results')} WHERE request_id IN (
        SELECT request_id FROM ${t('results')} WHERE expires_at <= ${o.now} ORDER BY expires_at LIMIT ${o.limit})
      RETURNING 1)
    SELECT count(*) AS n FROM gone`)
  return { messages, deliveries, attempts, results }
}
