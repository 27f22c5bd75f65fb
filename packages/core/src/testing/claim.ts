import { attachConfig, routingForClaim } from '../dispatcher/attach-config.js'
import type { Claim, ClaimRequest, Store } from '../store/store.js'

/**
 * Claims through the store and attaches the configuration as the dispatcher does when it holds
 * no snapshot yet (read through the catalog at or after the claim's config version).
 */
export async function claimConfigured(store: Store, request: ClaimRequest): Promise<Claim[]> {
  const result = await store.queue.claim(request)
  if (result.leased.length === 0) return []
  const routing = await routingForClaim(result, undefined, store.catalog)
  return attachConfig(result.leased, routing)
}
