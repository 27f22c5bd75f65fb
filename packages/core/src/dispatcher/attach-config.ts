import type { CatalogStore } from '../store/catalog-store.js'
import type { Claim, ClaimResult, LeasedDelivery } from '../store/queue-store.js'
import type { EndpointRecord } from '../store/records.js'
import { readRoutingSnapshot, type RoutingSnapshot } from './routing-snapshot.js'

/**
 * Whether `routing` may serve a claim made at `version`: it must be at least that new, so it
 * never shows a configuration older than the one the claim's skip rules saw. Newer is fine: the
 * claim then acts as if it had been made a moment later.
 */
export function servesClaim(routing: RoutingSnapshot | undefined, version: number | undefined): routing is RoutingSnapshot {
  return routing !== undefined && version !== undefined && routing.version >= version
}

/**
 * The routing a claim at `result.configVersion` needs: `held` when it serves the claim, else
 * `reload()`'s (which reads the version first, and is kept for the next claims and expansions),
 * else a plain read of the catalog under no version (a store without one, or a failed reload).
 */
export async function routingForClaim(
  result: ClaimResult,
  held: RoutingSnapshot | undefined,
  reload: () => Promise<RoutingSnapshot | undefined>,
  catalog: CatalogStore,
): Promise<RoutingSnapshot> {
  if (servesClaim(held, result.configVersion)) return held
  // A reload already under way may have read its version before the claim: then one more.
  for (let i = 0; i < 2 && result.configVersion !== undefined; i++) {
    const fresh = await reload()
    if (servesClaim(fresh, result.configVersion)) return fresh
  }
  return readRoutingSnapshot(catalog, Number.NaN)
}

/**
 * Builds each claim from its leased row and `routing`: the collection, the targets that exist
 * (disabled ones too, so the dispatcher skips them with a reason) with the breaker's columns
 * taken from the claimed rows, which are fresher than any snapshot, and the tenant's state.
 * A delivery whose collection is gone by now is left out: it stays leased until its lease
 * runs out and is never claimed again, as for any delivery of a deleted collection.
 */
export function attachConfig(leased: LeasedDelivery[], routing: RoutingSnapshot): Claim[] {
  return leased.flatMap(({ delivery, message, leaseToken, health }) => {
    const collection = routing.collection(delivery.collection)
    if (!collection) return []
    const endpoints: EndpointRecord[] = []
    for (const id of delivery.targets) {
      // Missing from the claim (deleted before it) or from the snapshot (deleted since): deleted.
      const h = health.find((x) => x.id === id)
      const e = h && routing.endpoint(id)
      if (e) endpoints.push({ ...e, pausedUntil: h.pausedUntil, failingSince: h.failingSince, updatedAt: h.updatedAt })
    }
    return [{ delivery, message, collection, endpoints, leaseToken, tenantEnabled: routing.tenantEnabled(delivery.tenant) }]
  })
}
