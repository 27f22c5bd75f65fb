import type { ClaimRequest, ClaimResult } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { deliveryAt, deliveryFromRow, deliveryPositions } from '../rows.js'
import { dueDeliveries, hydrateClaim, leaseDeliveries, type ClaimSql, type KyselyDialect } from '@hookbox/store-kysely'
import type { SyncExecutor } from '../sync-executor.js'
import { dueOutside } from '../due-outside.js'

/** SQLite's side of the shared claim: `IS` compares nullable endpoints, [NOT] EXISTS looks up collection, tenant and endpoint. */
const CLAIM_SQL: ClaimSql = { nullSafeEquals: 'IS', lookups: 'exists' }

/**
 * Leases due deliveries in one IMMEDIATE transaction (it holds the write lock, so the read
 * locks no rows): picks them with the shared {@link dueDeliveries} (its skip rules are every
 * store's; with endpoints to skip, only once {@link dueOutside} finds something it could
 * take), stamps owner, expiry and a fresh fencing token, and returns each with its message and
 * the breaker's columns of the targets that still exist, plus the config version, all read
 * inside the transaction, each statement built once per batch size (core attaches the
 * configuration).
 */
export function claimDeliveries(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest): ClaimResult {
  return x.tx(() => {
    // Skipping endpoints, the claim reads their whole backlog when nothing else is due: ask first.
    if (o.skipEndpoints?.length && !x.all(dueOutside(o.now, o.skipEndpoints))[0]!.found) return { leased: [] }
    const due = dueDeliveries(d, o, CLAIM_SQL)
    const raw = x.arrays(due)
    const at = raw && deliveryPositions(raw.columns)
    const deliveries = raw ? raw.rows.map((r) => deliveryAt(r, at!)) : x.all(due).map(deliveryFromRow)
    if (deliveries.length === 0) return { leased: [] }
    const token = randomUUID()
    const ids = deliveries.map((r) => r.id)
    const lease = [o.owner, o.now + o.leaseMs, token, o.now]
    x.run(x.shaped(`lease:${ids.length}`, [...lease, ...ids], () => leaseDeliveries(d, o, ids, token)))
    // Synchronous here: the SQLite dialect runs every statement at once.
    return hydrateClaim(d, deliveries, token, (key, values, build) => x.all(x.shaped(key, values, build))) as ClaimResult
  })
}
