import type { KyselyDialect } from './dialect.js'
import { deleteCollection, getCollection, listCollections, upsertCollection } from './queries/collections.js'
import { configVersion } from './queries/config-version.js'
import { deleteDeliveries } from './queries/delete-deliveries.js'
import { getDelivery, getMessage, listAttempts, listDeliveries } from './queries/deliveries.js'
import { setEndpointHealth } from './queries/endpoint-health.js'
import { deleteEndpoint, getEndpoint, getEndpointByName, insertEndpoint, listEndpoints, updateEndpoint } from './queries/endpoints.js'
import { leaseProbe } from './queries/lease-probe.js'
import { purgeFinished } from './queries/purge.js'
import { getResult } from './queries/results.js'
import { readStats } from './queries/stats.js'
import { ensureTenant, getTenant, listTenants, upsertTenant } from './queries/tenants.js'
import { transitionDeliveries } from './queries/transition.js'
import type { StoreOperations } from './store-roles.js'

/**
 * The operations a store gets from the shared queries; it adds migrations, the claim and
 * write-back, how enqueue, expansion and results join a transaction, and the tenant purge
 * (each store deletes through its own block-led tenant indexes).
 */
export type SharedOperations = Omit<StoreOperations, 'enqueue' | 'expand' | 'claim' | 'complete' | 'migrate' | 'putResult' | 'purgeTenant'>

/** The shared queries bound to a store's dialect, by role method name (see {@link storeRoles}). */
export function sharedOperations(d: KyselyDialect): SharedOperations {
  return {
    transition: (request) => transitionDeliveries(d, request),
    deleteDeliveries: (request) => deleteDeliveries(d, request),
    getDelivery: (request) => getDelivery(d, request),
    listDeliveries: (query) => listDeliveries(d, query),
    listAttempts: (request) => listAttempts(d, request),
    getMessage: (request) => getMessage(d, request),
    upsertCollection: (request) => upsertCollection(d, request),
    getCollection: (request) => getCollection(d, request),
    listCollections: () => listCollections(d),
    deleteCollection: (request) => deleteCollection(d, request),
    insertEndpoint: (request) => insertEndpoint(d, request),
    updateEndpoint: (request) => updateEndpoint(d, request),
    getEndpoint: (request) => getEndpoint(d, request),
    getEndpointByName: (request) => getEndpointByName(d, request),
    listEndpoints: (query) => listEndpoints(d, query),
    deleteEndpoint: (request) => deleteEndpoint(d, request),
    setEndpointHealth: (update) => setEndpointHealth(d, update),
    ensureTenant: (request) => ensureTenant(d, request),
    upsertTenant: (request) => upsertTenant(d, request),
    getTenant: (request) => getTenant(d, request),
    listTenants: () => listTenants(d),
    leaseProbe: (request) => leaseProbe(d, request),
    purge: (options) => purgeFinished(d, options),
    getResult: (request) => getResult(d, request),
    stats: (request) => readStats(d, request),
    configVersion: () => configVersion(d),
  }
}
