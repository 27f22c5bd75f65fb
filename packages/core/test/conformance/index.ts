import { describeDeliveryBehaviour } from './delivery-behaviour.js'
import { describeEndpointHealth } from './endpoint-health.js'
import { describeFeatures } from './features.js'
import { describeStatsContract } from './stats-contract.js'
import { describeStoreContract } from './store-contract.js'
import type { ConformanceTarget } from './target.js'

export type { ConformanceTarget } from './target.js'

/**
 * The shared store conformance suite. Every store's test file calls this once; a store passes
 * when both the raw `Store` contract and the engine's delivery behaviour on top of it hold.
 */
export function runStoreConformance(target: ConformanceTarget): void {
  describeStoreContract(target)
  describeDeliveryBehaviour(target)
  describeFeatures(target)
  describeEndpointHealth(target)
  describeStatsContract(target)
}
