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
  type ClaimPosition,
  type SkipHints,
  type ClaimSql,
  type KyselyDialect,
  type KnownHealth,
} from '@hookbox/store-kysely'
import type { SyncExecutor } from '../sync-executor.js'
import { dueAfter, dueAround, dueWindow, firstAround } from '../due-around.js'
import { DISABLED_TENANTS_INDEX, ENDPOINT_CLAIM_INDEX } from '../migrations/000014-endpoint-claim-index.js'

/**
 * SQLite's side of the shared claim: `IS` compares nullable endpoints, [NOT] EXISTS looks up
 * collection and tenant, the pick reads the messages and the `each` endpoints (whether one holds
 * its delivery back, and its breaker columns) too ({@link CLAIM_COLUMNS}), tenant and endpoint
 * through the indexes that hold what it reads of them (migrations 6 and 14).
 */
const CLAIM_SQL: ClaimSql = {
  nullSafeEquals: 'IS',
  lookups: 'exists',
  columns: CLAIM_COLUMNS,
  indexedBy: { tenants: DISABLED_TENANTS_INDEX, endpoints: ENDPOINT_CLAIM_INDEX },
}

/**
 * Leases due deliveries in one IMMEDIATE transaction (it holds the write lock, so the read
 * locks no rows): picks them with the shared {@link dueDeliveries} (its skip rules are every
 * store's; with endpoints to skip, see {@link skippingPick} and this store's `hints`), stamps owner, expiry and a fresh
 * fencing token, and returns each with its message and the breaker's columns of the targets
 * that still exist, plus the config version, all read inside the transaction, each statement
 * built once per batch size (core attaches the configuration).
 */
export function claimDeliveries(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest, hints: SkipHints): ClaimResult {
  return x.tx(() => {
    const picked = o.skipEndpoints?.length ? skippingPick(x, d, o, hints) : pick(x, d, o)
    if (picked.length === 0) return { leased: [] }
    const token = randomUUID()
    const deliveries = picked.map((p) => p.delivery)
    const rowids = picked.map((p) => p.rowid)
    const lease = [o.owner, o.now + o.leaseMs, token, o.now]
    x.run(x.shaped(`lease-rowids:${rowids.length}`, [...lease, ...rowids], () => leaseDeliveries(d, o, { rowids }, token)))
    // The messages came with the pick (hydrateClaim leaves out a delivery whose message is gone),
    // and so did the breaker's columns of each `each` delivery's endpoint (found or gone).
    const messages = picked.flatMap((p): MessageRecord[] => (p.message ? [p.message] : []))
    const knownHealth: KnownHealth = {
      ids: new Set(picked.flatMap((p) => (p.delivery.endpointId === null ? [] : [p.delivery.endpointId]))),
      rows: picked.flatMap((p) => (p.health ? [p.health] : [])),
    }
    // Synchronous here: the SQLite dialect runs every statement at once.
    return hydrateClaim(d, deliveries, token, (key, values, build) => x.all(x.shaped(key, values, build)), {
      known: messages,
      knownHealth,
    }) as ClaimResult
  })
}

/**
 * The batch of a claim that skips endpoints, the same as the whole due index gives, without
 * reading the skipped endpoints' backlog (walking the due index in order, a claim read all of
 * it to reach anything due behind it: 300–830 ms, write lock held, at 1,000,000 pending). It
 * takes the batch from the first due deliveries ({@link dueWindow}, enough unless the skipped
 * ones crowd the front); when they fall short and more are due, it finds the first delivery
 * due outside the skipped endpoints ({@link firstAround}, a walk over every block of the
 * backlog), remembers it in `hints` and takes the batch from there on ({@link fromHint}). The
 * next claims skipping the same endpoints start there while the hint holds ({@link SkipHints}).
 */
function skippingPick(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest, hints: SkipHints): Picked[] {
  const skip = o.skipEndpoints!
  const size = claimWindowSize(o.limit)
  const hint = hints.get(skip, o.now)
  const hinted = hint && (fromHint(x, d, o, hint, o.limit) ?? fromHint(x, d, o, hint, size))
  if (hinted) return hinted
  const window = dueWindow(o.now, size)
  const first = pick(x, d, o, window)
  if (first.length === o.limit || !full(x, d, window, size)) return first
  const walk = firstAround(d, o.now, skip)
  const at = x.all(x.shaped(walk.key, [...walk.values], walk.query))[0]
  hints.set(skip, o.now, at)
  return (at && fromHint(x, d, o, at, size)) ?? pick(x, d, o, dueAround(o.now, skip))
}

/**
 * The batch from the first `size` deliveries due outside the skipped endpoints from `at` on
 * ({@link dueAfter}); undefined when they were cut at `size` and still fell short (the rules
 * refused many), so the caller looks further.
 */
function fromHint(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest, at: ClaimPosition, size: number): Picked[] | undefined {
  const after = dueAfter(o.now, o.skipEndpoints!, at, size)
  const picked = pick(x, d, o, after)
  return picked.length === o.limit || !full(x, d, after, size) ? picked : undefined
}

/** Whether `among` selects `size` ids: a pick from them that fell short may have missed some. */
function full(x: SyncExecutor, d: KyselyDialect, among: ClaimCandidates, size: number): boolean {
  return x.all(x.shaped(`${among.key}-count`, [...among.values], () => countCandidates(d, among)))[0]!.n === size
}

/** The claim's pick (see {@link dueDeliveries}), from `among` if given: each delivery with its message. */
function pick(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest, among?: ClaimCandidates): Picked[] {
  const due = dueDeliveries(d, o, CLAIM_SQL, among)
  const raw = x.arrays(due, claimPositions)
  return raw ? raw.rows.map((r) => pickedAt(r, raw.at)) : x.all<Record<string, unknown>>(due).map((r) => pickedAt(r, CLAIM_BY_NAME))
}
