import type { CatalogStore } from '../store/catalog-store.js'
import type { Claim, ClaimResult, EndpointHealthColumns, LeasedDelivery } from '../store/queue-store.js'
import type { EndpointRecord } from '../store/records.js'
import { loadRoutingSnapshot, RoutingSnapshot } from './routing-snapshot.js'

/**
 * Whether `routing` may serve a claim made at `version`: it must be at least that new, so it
 * never shows a configuration older than the one the claim's skip rules saw. Newer is fine: the
 * claim then acts as if it had been made a moment later.
 */
export function servesClaim(routing: RoutingSnapshot | undefined, version: number | undefined): routing is RoutingSnapshot {
  return routing !== undefined && version !== undefined && routing.version >= version
}

/**
 * Past this many tenants unknown to one claim (a dispatcher taking over another's backlog), the
 * whole configuration is read at once instead of two reads per tenant.
 */
const WHOLE_READ_AFTER = 16

/**
 * The routing a claim at `result.configVersion` needs: `held` when it serves the claim and knows
 * every tenant of it; else `held` (or, when it is older than the claim or absent, a new partial
 * snapshot at the claim's version) after reading the tenants it does not know, whole, from the
 * catalog. Those reads come after the claim's, so they are at least as new as its version. A
 * store without a config version gets a snapshot under NaN, which no later claim or batch uses.
 */
export async function routingForClaim(
  result: ClaimResult,
  held: RoutingSnapshot | undefined,
  catalog: CatalogStore,
): Promise<RoutingSnapshot> {
  const deliveries = result.leased.map((l) => l.delivery)
  const routing = servesClaim(held, result.configVersion)
    ? held
    : RoutingSnapshot.partial(result.configVersion ?? Number.NaN, await catalog.listCollections())
  const unknown = routing.unknownTenants(deliveries)
  if (unknown.length > WHOLE_READ_AFTER) {
    const whole = await loadRoutingSnapshot(catalog)
    if (servesClaim(whole, result.configVersion)) return whole
  }
  if (unknown.length > 0)
    routing.learnTenants(
      await Promise.all(
        unknown.map(async (tenant) => {
          const [endpoints, state] = await Promise.all([
            catalog.listEndpoints({ tenant }),
            tenant === null ? undefined : catalog.getTenant({ tenant }),
          ])
          return { tenant, endpoints, enabled: state?.enabled ?? true }
        }),
      ),
    )
  return routing
}

/**
 * Builds each claim from its leased row and `routing`: the collection, the targets that exist
 * (disabled ones too, so the dispatcher skips them with a reason) with the breaker's columns
 * taken from the claimed rows, which are fresher than any snapshot, and the tenant's state.
 * A delivery whose collection is gone by now is left out: it stays leased until its lease
 * runs out and is never claimed again, as for any delivery of a deleted collection.
 */
export function attachConfig(leased: LeasedDelivery[], routing: RoutingSnapshot): Claim[] {
  // A loop, not flatMap: no array per delivery.
  const claims: Claim[] = []
  for (const { delivery, message, leaseToken, health } of leased) {
    const collection = routing.collection(delivery.collection)
    if (!collection) continue
    const endpoints: EndpointRecord[] = []
    for (const id of delivery.targets) {
      // Missing from the claim (deleted before it) or from the snapshot (deleted since): deleted.
      const h = health.find((x) => x.id === id)
      const e = h && routing.endpoint(id)
      if (e) endpoints.push(withHealth(e, h))
    }
    claims.push({ delivery, message, collection, endpoints, leaseToken, tenantEnabled: routing.tenantEnabled(delivery.tenant) })
  }
  return claims
}

/**
 * `e` with the breaker's columns of its claimed row: `e` itself while they are the snapshot's
 * (the usual case; records are never changed in place), else a copy made field by field (an
 * object spread followed by more properties takes V8's slow clone path, once per target). Every
 * field of EndpointRecord is required, so one added later fails to compile here until copied.
 */
function withHealth(e: EndpointRecord, h: EndpointHealthColumns): EndpointRecord {
  if (e.pausedUntil === h.pausedUntil && e.failingSince === h.failingSince && e.updatedAt === h.updatedAt) return e
  return {
    id: e.id,
    tenant: e.tenant,
    name: e.name,
    collection: e.collection,
    url: e.url,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    events: e.events,
    headers: e.headers,
    timeoutMs: e.timeoutMs,
    success: e.success,
    appendRequestId: e.appendRequestId,
    auth: e.auth,
    description: e.description,
    maxInFlight: e.maxInFlight,
    ratePerSecond: e.ratePerSecond,
    pausedUntil: h.pausedUntil,
    failingSince: h.failingSince,
    createdAt: e.createdAt,
    updatedAt: h.updatedAt,
  }
}
