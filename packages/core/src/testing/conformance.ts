/**
 * `@hookbox/core/testing`: the public store conformance suite, and the test helpers it runs on
 * (a real HTTP receiver, record fixtures, an outbox on a manual clock). Needs vitest.
 *
 * @example
 * ```ts
 * import { runStoreConformance } from '@hookbox/core/testing'
 * runStoreConformance({ name: 'my-store', makeStore: async () => ({ store: myStore(), cleanup: async () => {} }) })
 * ```
 *
 * @module @hookbox/core/testing
 */
import { describeClaimConfig } from './claim-config.js'
import { describeConfigVersion } from './config-version.js'
import { describeDeliveryBehaviour } from './delivery-behaviour.js'
import { describeDeliveryPromises } from './delivery-promises.js'
import { describeEndpointHealth } from './endpoint-health.js'
import { describeEndpointNames } from './endpoint-names.js'
import { describeFeatures } from './features.js'
import { describeRulesContract } from './rules-contract.js'
import { describeStatsContract } from './stats-contract.js'
import { describeStoreContract } from './store-contract.js'
import { describeTenants } from './tenants.js'
import type { ConformanceTarget } from './target.js'
import { describeTransactionRefusals } from './transactions-contract.js'
import { describeWriteBackSlots } from './write-back-slots.js'

export type { ConformanceTarget, RefusedHandle } from './target.js'
export { TestReceiver } from './receiver.js'
export type { Received, Behaviour } from './receiver.js'
export { testOutbox, localReceivers } from './test-outbox.js'
export { eventually } from './wait.js'
export { startTcpProxy } from './tcp-proxy.js'
export { describeSqlNotify, inTransaction } from './sql-notify.js'
export type { PooledConnection, SqlNotifyAnswer, SqlNotifyCall, SqlNotifyTarget, SqlTransaction } from './sql-notify.js'
export type { TcpProxy, ProxyMode } from './tcp-proxy.js'
export { describeHostTransactions } from './host-transactions.js'
export type { HostTransactionSuite, HostTransactionCase } from './host-transactions.js'
export { expectUpgradedStoreWorks } from './upgrade.js'
export { describeMultiProcess } from './multi-process.js'
export type { MultiProcessDatabase, MultiProcessTarget } from './multi-process.js'
export { runDispatcherWorker } from './dispatcher-worker.js'
export type { DispatcherWorker } from './dispatcher-worker.js'
export type { UpgradedRows } from './upgrade.js'
export { T0, message, collection, endpoint, completion, expandOnce, pagedDeliveryIds, requeue, cancel } from './fixtures.js'
export { claimConfigured } from './claim.js'
export { headOfLineReads } from './head-of-line.js'
export type { HeadOfLineStore } from './head-of-line.js'

/**
 * Registers the whole suite with vitest. Every store's test file calls this once; a store passes
 * when the raw role contract, the shared rules and the engine's delivery behaviour on top of it
 * all hold.
 */
export function runStoreConformance(target: ConformanceTarget): void {
  describeStoreContract(target)
  describeRulesContract(target)
  describeTransactionRefusals(target)
  describeDeliveryBehaviour(target)
  describeFeatures(target)
  describeEndpointHealth(target)
  describeStatsContract(target)
  describeDeliveryPromises(target)
  describeTenants(target)
  describeEndpointNames(target)
  describeConfigVersion(target)
  describeClaimConfig(target)
  describeWriteBackSlots(target)
}
