import type { Completion } from '@hookbox/core'
import { OUTCOME_COLUMNS, outcomeValues } from '@hookbox/store-kysely'
import { CompiledQuery } from 'kysely'
import { attemptToRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

const CHUNK = 500
/** Outcomes per UPDATE: one statement text per count up to this (a dispatcher batch is 100 at most by default). */
const OUTCOMES = 100

const texts = new Map<number, string>()

/**
 * One UPDATE for `count` outcomes, joined on id and lease token (the fence) through a VALUES
 * list; RETURNING names the rows it changed. One statement instead of one per outcome: the
 * B-tree work is the same, the per-statement binding and stepping is paid once.
 */
function updateText(count: number): string {
  let text = texts.get(count)
  if (text === undefined) {
    const row = `(${Array.from({ length: OUTCOME_COLUMNS.length + 2 }, () => '?').join(', ')})`
    const set = OUTCOME_COLUMNS.map((c, i) => `"${c}" = v.column${i + 3}`).join(', ')
    text =
      `UPDATE "hookbox_deliveries" SET ${set}, "lease_owner" = NULL, "lease_until" = NULL, "lease_token" = NULL ` +
      `FROM (VALUES ${Array.from({ length: count }, () => row).join(', ')}) AS v ` +
      `WHERE "hookbox_deliveries"."id" = v.column1 AND "hookbox_deliveries"."lease_token" = v.column2 ` +
      `RETURNING "hookbox_deliveries"."id"`
    texts.set(count, text)
  }
  return text
}

/**
 * The batch in order, cut into runs of at most {@link OUTCOMES} with no delivery twice in a
 * run: an id in the RETURNING list then names exactly one outcome, and a later outcome for the
 * same delivery sees what the earlier one wrote, as one statement each would.
 */
function parts(completions: Completion[]): Completion[][] {
  const out: Completion[][] = []
  let part: Completion[] = []
  let ids = new Set<string>()
  for (const c of completions) {
    if (part.length === OUTCOMES || ids.has(c.deliveryId)) {
      out.push(part)
      part = []
      ids = new Set()
    }
    part.push(c)
    ids.add(c.deliveryId)
  }
  if (part.length > 0) out.push(part)
  return out
}

/**
 * Writes a batch of outcomes in one IMMEDIATE transaction. Each delivery is updated only while
 * its lease token still matches (fencing: a dispatcher whose lease was taken over changes
 * nothing) and its lease is cleared. Attempts are logged either way. Endpoints in a
 * completion's `disableEndpoints` are disabled only when that completion applied. Returns the
 * ids updated, in batch order.
 */
export function completeDeliveries(x: SyncExecutor, completions: Completion[]): string[] {
  const { qb } = x
  return x.tx(() => {
    const applied: string[] = []
    for (const part of parts(completions)) {
      const values: unknown[] = []
      for (const c of part) values.push(c.deliveryId, c.leaseToken, ...outcomeValues(c))
      const changed = new Set(x.all<{ id: string }>(CompiledQuery.raw(updateText(part.length), values)).map((r) => r.id))
      for (const c of part) {
        // A fenced-off (stale) outcome must not disable an endpoint either.
        if (!changed.has(c.deliveryId)) continue
        applied.push(c.deliveryId)
        for (const d of c.disableEndpoints)
          x.run(
            qb
              .updateTable('hookbox_endpoints')
              .set({ enabled: 0, disabled_reason: d.reason, updated_at: c.updatedAt })
              .where('id', '=', d.id),
          )
      }
    }
    const attempts = completions.flatMap((c) => c.attemptLog.map(attemptToRow))
    for (let i = 0; i < attempts.length; i += CHUNK)
      x.run(x.insert('hookbox_attempts', attempts.slice(i, i + CHUNK) as unknown as Array<Record<string, unknown>>))
    return applied
  })
}
