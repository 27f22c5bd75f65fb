import { CompiledQuery } from 'kysely'

/** The block of message sequence numbers `hookbox_deliveries_endpoint_due_block` leads with (migration 12). */
const BLOCK = '(message_seq >> 10)'
const PENDING = `hookbox_deliveries INDEXED BY hookbox_deliveries_endpoint_due_block WHERE state = 'pending'`

/**
 * Whether any pending delivery is due at `now` with no endpoint or an endpoint outside `skip`:
 * what a claim skipping `skip` needs before it can find anything. It walks the blocks that hold
 * pending deliveries (one seek each, lowest first) and, in each, asks for no endpoint and for
 * every gap around the skipped ids (in byte order, as SQLite's BINARY collation sorts them),
 * each a seek into hookbox_deliveries_endpoint_due_block (migration 12): the answer costs a few
 * seeks per block however large the skipped endpoints' backlog is, and stops at the first
 * block that has one. It ignores leases and the other skip rules: it only rules a claim out,
 * never in.
 */
export function dueOutside(now: number, skip: readonly string[]): CompiledQuery<{ found: number }> {
  const ids = [...new Set(skip)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const gaps = [...ids.map((before, i) => ({ after: ids[i - 1], before })), { after: ids.at(-1), before: undefined }]
  const values: unknown[] = [now] // the no-endpoint test's
  const due = (bounds: string) => `EXISTS (SELECT 1 FROM ${PENDING} AND ${BLOCK} = b AND ${bounds}next_attempt_at <= ?)`
  const tests = [due('endpoint_id IS NULL AND ')]
  for (const { after, before } of gaps) {
    const bounds = [after === undefined ? '' : 'endpoint_id > ? AND ', before === undefined ? '' : 'endpoint_id < ? AND ']
    values.push(...[after, before].filter((id) => id !== undefined), now)
    tests.push(due(bounds.join('')))
  }
  return CompiledQuery.raw(
    `WITH RECURSIVE blocks(b) AS (
  SELECT min${BLOCK} FROM ${PENDING}
  UNION ALL SELECT (SELECT min${BLOCK} FROM ${PENDING} AND ${BLOCK} > b) FROM blocks WHERE b IS NOT NULL
) SELECT EXISTS (SELECT 1 FROM blocks WHERE b IS NOT NULL AND (${tests.join('\n  OR ')})) AS found`,
    values,
  )
}
