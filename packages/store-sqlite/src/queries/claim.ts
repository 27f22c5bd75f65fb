import type { ClaimRequest, ClaimResult, MessageRecord } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { CLAIM_BY_NAME, CLAIM_COLUMNS, claimPositions, pickedAt, type Picked } from './claim-rows.js'
import {
  claimWindowSize,
  countCandidates,
  dueDeliveries,
  hydrateClaim,
  leaseDeliveries,
  type ClaimCandidates,
  type ClaimSql,
  type KyselyDialect,
} from '@hookbox/store-kysely'
import type { SyncExecutor } from '../sync-executor.js'
import { dueAround, dueWindow } from '../due-around.js'

/**
 * SQLite's side of the shared claim: `IS` compares nullable endpoints, [NOT] EXISTS looks up
 * collection, tenant and endpoint, the pick reads the messages too ({@link CLAIM_COLUMNS}).
 */
const CLAIM_SQL: ClaimSql = { nullSafeEquals: 'IS', lookups: 'exists', columns: CLAIM_COLUMNS }

/**
 * Leases due deliveries in one IMMEDIATE transaction (it holds the write lock, so the read
 * locks no rows): picks them with the shared {@link dueDeliveries} (its skip rules are every
 * store's; with endpoints to skip, see {@link skippingPick}), stamps owner, expiry and a fresh
 * fencing token, and returns each with its message and the breaker's columns of the targets
 * that still exist, plus the config version, all read inside the transaction, each statement
 * built once per batch size (core attaches the configuration).
 */
export function claimDeliveries(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest): ClaimResult {
  return x.tx(() => {
    const picked = o.skipEndpoints?.length ? skippingPick(x, d, o) : pick(x, d, o)
    if (picked.length === 0) return { leased: [] }
    const token = randomUUID()
    const deliveries = picked.map((p) => p.delivery)
    const rowids = picked.map((p) => p.rowid)
    const lease = [o.owner, o.now + o.leaseMs, token, o.now]
    x.run(x.shaped(`lease-rowids:${rowids.length}`, [...lease, ...rowids], () => leaseDeliveries(d, o, { rowids }, token)))
    // The messages came with the pick (hydrateClaim leaves out a delivery whose message is gone).
    const messages = picked.flatMap((p): MessageRecord[] => (p.message ? [p.message] : []))
    // Synchronous here: the SQLite dialect runs every statement at once.
    return hydrateClaim(d, deliveries, token, (key, values, build) => x.all(x.shaped(key, values, build)), {
      known: messages,
    }) as ClaimResult
  })
}

/**
 * The batch of a claim that skips endpoints, the same as the whole due index gives, without
 * reading the skipped endpoints' backlog (walking the due index in order, a claim read all of
 * it to reach anything due behind it: 300–830 ms, write lock held, at 1,000,000 pending). It
 * takes the batch from the first due deliveries ({@link dueWindow}, enough unless the skipped
 * ones crowd the front); when they fall short and more are due, from every due delivery
 * outside the skipped endpoints ({@link dueAround}).
 */
function skippingPick(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest): Picked[] {
  const size = claimWindowSize(o.limit)
  const window = dueWindow(o.now, size)
  const first = pick(x, d, o, window)
  if (first.length === o.limit) return first
  const full = x.all(x.shaped('window-count', [...window.values], () => countCandidates(d, window)))[0]!.n === size
  return full ? pick(x, d, o, dueAround(o.now, o.skipEndpoints!)) : first
}

/** The claim's pick (see {@link dueDeliveries}), from `among` if given: each delivery with its message. */
function pick(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest, among?: ClaimCandidates): Picked[] {
  const due = dueDeliveries(d, o, CLAIM_SQL, among)
  const raw = x.arrays(due, claimPositions)
  return raw ? raw.rows.map((r) => pickedAt(r, raw.at)) : x.all<Record<string, unknown>>(due).map((r) => pickedAt(r, CLAIM_BY_NAME))
}
