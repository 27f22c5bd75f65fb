import type { ClaimRequest, ClaimResult } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import type { MysqlExecutor } from '../mysql-executor.js'
import { deliveryFromRow } from '../rows.js'
import { dueDeliveries, hydrateClaim, leaseDeliveries, type ClaimSql, type KyselyDialect } from '@hookbox/store-kysely'

/**
 * MySQL's side of the shared claim: `<=>` compares nullable endpoints, and the collection,
 * tenant and endpoint are scalar subqueries (MariaDB would flatten EXISTS over the collection
 * into a join that sorts every pending delivery, and read every endpoint for NOT EXISTS).
 */
const CLAIM_SQL: ClaimSql = { nullSafeEquals: '<=>', lookups: 'scalar' }

/**
 * Leases due deliveries in one transaction: picks them with the shared {@link dueDeliveries}
 * (`FOR UPDATE SKIP LOCKED`: dispatchers never wait for each other; its skip rules are every
 * store's), stamps owner, expiry and a fresh fencing token, commits, and returns each with its
 * message and the breaker's columns of the targets that still exist, plus the config version,
 * read after the commit (the lease already keeps the rows ours, and the version is never older
 * than the one the skip rules saw; core attaches the configuration).
 */
export async function claimDeliveries(x: MysqlExecutor, d: KyselyDialect, o: ClaimRequest): Promise<ClaimResult> {
  const token = randomUUID()
  const deliveries = await x.tx(async (x) => {
    const rows = await x.all(dueDeliveries(d, o, CLAIM_SQL))
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    await x.run(leaseDeliveries(d, o, ids, token))
    return rows.map(deliveryFromRow)
  }, 'scan')
  // Built each time, not shaped: the pool's shape cache stays for the hot statements.
  return deliveries.length ? hydrateClaim(d, deliveries, token, (_key, _values, build) => x.all(build())) : { leased: [] }
}
