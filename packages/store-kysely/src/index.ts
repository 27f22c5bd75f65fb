/**
 * `@hookbox/store-kysely`: the kysely queries Hookbox's SQL stores share, written once and
 * parameterised by each store's {@link KyselyDialect}, and the one store skeleton
 * ({@link storeRoles}) that wires a store's operations to its roles.
 *
 * @module @hookbox/store-kysely
 */
export { changes, drive, one, rows, selectOne, selectRows, write } from './plan.js'
export type { Exec, MaybePromise, Plan } from './plan.js'
export type { KeyOwnerRow, KyselyDialect, RowMappers } from './dialect.js'
export type {
  AttemptsTable,
  CollectionsTable,
  ConfigVersionTable,
  DeliveriesTable,
  EndpointsTable,
  IdempotencyKeysTable,
  KyselyTables,
  MessagesTable,
  ResultsTable,
  TenantsTable,
} from './schema.js'
export { int, intOrNull, json, parse } from './columns.js'
export { storeRoles } from './store-roles.js'
export type { OperationGuards, StoreOperations, StoreRoles } from './store-roles.js'
export { sharedOperations } from './shared-operations.js'
export type { SharedOperations } from './shared-operations.js'
export { deleteCollection, getCollection, listCollections, upsertCollection } from './queries/collections.js'
export { claimWindowSize, countCandidates, dueDeliveries, hydrateClaim, leaseDeliveries } from './queries/claim.js'
export type { ClaimCandidates, ClaimRead, ClaimSql, HealthRow, KnownHealth } from './queries/claim.js'
export { HINT_CLAIMS, HINT_MS, SkipHints } from './skip-hints.js'
export type { ClaimPosition } from './skip-hints.js'
export { configVersion, readConfigVersion } from './queries/config-version.js'
export { deleteDeliveries } from './queries/delete-deliveries.js'
export { getDelivery, getMessage, listAttempts, listDeliveries } from './queries/deliveries.js'
export { setEndpointHealth } from './queries/endpoint-health.js'
export { deleteEndpoint, getEndpoint, getEndpointByName, insertEndpoint, listEndpoints, updateEndpoint } from './queries/endpoints.js'
export { enqueueMessages } from './queries/enqueue.js'
export { expandMessages, type PickedMessage } from './queries/expand.js'
export { leaseProbe } from './queries/lease-probe.js'
export { OUTCOME_COLUMNS, outcomeValues } from './queries/outcome.js'
export { purgeFinished } from './queries/purge.js'
export { getResult, putResultQuery } from './queries/results.js'
export { readStats } from './queries/stats.js'
export { ensureTenant, getTenant, listTenants, upsertTenant } from './queries/tenants.js'
export { transitionDeliveries } from './queries/transition.js'
