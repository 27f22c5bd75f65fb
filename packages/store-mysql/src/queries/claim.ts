import type { ClaimRequest, ClaimResult } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import type { MysqlExecutor } from '../mysql-executor.js'
import { deliveryFromRow } from '../rows.js'
import {
  claimWindowSize,
  configVersion,
  countCandidates,
  dueDeliveries,
  hydrateClaim,
  leaseDeliveries,
  type ClaimCandidates,
  type ClaimRead,
  type ClaimSql,
  type HealthRow,
  type KyselyDialect,
  type SkipHints,
} from '@hookbox/store-kysely'
import { sql, type SelectQueryBuilder } from 'kysely'
import { dueAfter, dueAround, dueWindow, firstAround } from '../due-candidates.js'

/**
 * MySQL's side of the shared claim: `<=>` compares nullable endpoints, and the collection,
 * tenant and endpoint are scalar subqueries (MariaDB would flatten EXISTS over the collection
 * into a join that sorts every pending delivery, and read every endpoint for NOT EXISTS).
 */
const CLAIM_SQL: ClaimSql = { nullSafeEquals: '<=>', lookups: 'scalar', candidatesFirst: 'STRAIGHT_JOIN' }

/**
 * Leases due deliveries in one transaction: picks them with the shared {@link dueDeliveries}
 * (`FOR UPDATE SKIP LOCKED`: dispatchers never wait for each other; its skip rules are every
 * store's; with endpoints to skip, see {@link skippingPick}), stamps owner, expiry and a fresh fencing token, commits, and returns each with its
 * message and the breaker's columns of the targets that still exist, plus the config version,
 * read after the commit (the lease already keeps the rows ours, and the version is never older
 * than the one the skip rules saw; core attaches the configuration), in the messages' statement.
 */
export async function claimDeliveries(x: MysqlExecutor, d: KyselyDialect, o: ClaimRequest, hints: SkipHints): Promise<ClaimResult> {
  const token = randomUUID()
  const deliveries = await x.tx(async (x) => {
    const rows = o.skipEndpoints?.length ? await skippingPick(x, d, o, hints) : await x.all(dueDeliveries(d, o, CLAIM_SQL))
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    // Its text kept per row count: building it cost more CPU than the server takes to run it.
    const lease = [o.owner, o.now + o.leaseMs, token, o.now, ...ids]
    await x.run(x.text(`claim:lease:${ids.length}`, lease, () => leaseDeliveries(d, o, ids, token)))
    return rows.map(deliveryFromRow)
  }, 'scan')
  if (!deliveries.length) return { leased: [] }
  // The breaker's columns of a few targets ride in the messages' statement (one round trip less):
  // the same on every row, so not for many.
  const targets = [...new Set(deliveries.flatMap((d) => d.targets))]
  const folded = targets.length > 0 && targets.length <= HEALTH_WITH_MESSAGES
  // Each read's text kept per row count (apart from the claim's shapes).
  let messages: Promise<Array<{ hookbox_config_version?: unknown; hookbox_health?: unknown }>> | undefined
  const read: ClaimRead = (key, values, build) => {
    const alone = () => x.all(x.text(`claim:${key}`, values, build))
    if (key.startsWith('endpoint-health:') && folded && messages)
      return messages.then((rows) => (rows.length ? (healthRows(rows[0]!.hookbox_health) as never) : alone()))
    if (!key.startsWith('messages:')) return alone()
    const withVersion = () => {
      const q = (build() as unknown as SelectQueryBuilder<any, any, any>).select(
        sql`(SELECT version FROM ${sql.raw(x.table('hookbox_config_version'))})`.as('hookbox_config_version'),
      )
      return folded
        ? q.select(
            sql`(SELECT JSON_ARRAYAGG(JSON_ARRAY(id, paused_until, failing_since, updated_at)) FROM ${sql.raw(x.table('hookbox_endpoints'))}
              WHERE id IN (${sql.join(targets)}))`.as('hookbox_health'),
          )
        : q
    }
    const text = folded ? `claim:${key}:health:${targets.length}` : `claim:${key}`
    return (messages = x.all(x.text(text, folded ? [...targets, ...values] : values, withVersion))) as never
  }
  // No message left (all purged): the version on its own.
  const version = async () => {
    const [row] = messages ? await messages : []
    return row ? Number(row.hookbox_config_version) : configVersion(d)
  }
  return hydrateClaim(d, deliveries, token, read, { version })
}

/** At most this many distinct targets in a batch have their breaker's columns read with the messages. */
const HEALTH_WITH_MESSAGES = 8

/** The breaker's columns from the messages' `hookbox_health` (a JSON array of [id, paused_until, failing_since, updated_at]; MySQL 8 hands JSON over parsed). */
function healthRows(json: unknown): HealthRow[] {
  const rows = (typeof json === 'string' ? JSON.parse(json) : (json ?? [])) as Array<[string, number | null, number | null, number]>
  return rows.map(([id, paused_until, failing_since, updated_at]) => ({ id, paused_until, failing_since, updated_at }))
}

/**
 * The batch of a claim that skips endpoints, the same as the whole due index gives, without
 * reading the skipped endpoints' backlog: from the first due deliveries ({@link dueWindow},
 * enough unless the skipped ones crowd the front); when they fall short and more are due, from
 * the first due outside the skipped endpoints on ({@link dueAfter}), found once ({@link
 * firstAround}: it reads and sorts every other endpoint's due deliveries) and then kept in
 * `hints` for the next claims that skip the same endpoints ({@link SkipHints}), which start there
 * at once; only when the rules refuse so many of those that they fall short too, from the
 * candidates around the skipped endpoints ({@link dueAround}), then from the whole due index.
 * Each pick locks its batch and rechecks every rule on the rows it reads (by id, then sorted).
 */
async function skippingPick(x: MysqlExecutor, d: KyselyDialect, o: ClaimRequest, hints: SkipHints) {
  const skip = o.skipEndpoints!
  const size = claimWindowSize(o.limit)
  // Whether a pick that fell short may have missed some: its candidates were cut at `size`.
  const full = async (c: ClaimCandidates) => (await x.all(countCandidates(d, c)))[0]!.n >= size
  const from = async (c: ClaimCandidates) => {
    const rows = await x.all(dueDeliveries(d, o, CLAIM_SQL, c))
    return rows.length === o.limit || !(await full(c)) ? rows : undefined
  }
  const hint = hints.get(skip, o.now)
  const hinted = hint && ((await from(dueAfter(x, o.now, skip, hint, o.limit))) ?? (await from(dueAfter(x, o.now, skip, hint, size))))
  if (hinted) return hinted
  const first = await from(dueWindow(x, o.now, size))
  if (first) return first
  const [at] = await x.all(firstAround(x, o.now, skip).compile(x.qb))
  hints.set(skip, o.now, at && { ...at, nextAttemptAt: Number(at.nextAttemptAt), messageSeq: Number(at.messageSeq) })
  if (!at) return []
  for (const candidates of [dueAfter(x, o.now, skip, at, size), dueAround(x, o.now, skip, size)]) {
    const rows = await from(candidates)
    if (rows) return rows
  }
  return x.all(dueDeliveries(d, o, CLAIM_SQL))
}
