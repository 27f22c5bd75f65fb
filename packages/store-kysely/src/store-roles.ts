import type { CatalogStore, HousekeepingStore, QueueStore } from '@hookbox/core'
import type { MaybePromise } from './plan.js'

type Loose<F> = F extends (...args: infer A) => infer R ? (...args: A) => MaybePromise<Awaited<R>> : never

/**
 * Every operation of a store's three roles, by the role's method name, each free to answer
 * synchronously (a SQLite query) or not. `enqueue` and `putResult` keep their own signatures:
 * they must stay synchronous inside a host's synchronous transaction.
 */
export type StoreOperations = {
  [K in Exclude<keyof QueueStore, 'subscribe' | 'wake' | 'enqueue'>]: Loose<QueueStore[K]>
} & { [K in keyof CatalogStore]: Loose<CatalogStore[K]> } & {
  [K in Exclude<keyof HousekeepingStore, 'putResult'>]: Loose<HousekeepingStore[K]>
} & Pick<QueueStore, 'enqueue'> &
  Pick<HousekeepingStore, 'putResult'>

/**
 * How a store runs its operations: `write` around every operation that writes (SQLite waits
 * there until no host transaction is open on the shared connection), `read` around reads.
 */
export interface OperationGuards {
  /** Runs an operation that writes. */
  write<T>(fn: () => MaybePromise<T>): Promise<T>
  /** Runs an operation that only reads. */
  read<T>(fn: () => MaybePromise<T>): Promise<T>
}

/** The roles of a `Store` (from `@hookbox/core`), as {@link storeRoles} builds them. */
export interface StoreRoles {
  /** The queue role. */
  queue: QueueStore
  /** The catalog role. */
  catalog: CatalogStore
  /** The housekeeping role. */
  housekeeping: HousekeepingStore
}

const direct: OperationGuards = { write: async (fn) => fn(), read: async (fn) => fn() }

/**
 * The one store skeleton: wires a store's operations to its queue, catalog and housekeeping
 * roles, each operation behind its guard.
 */
export function storeRoles(ops: StoreOperations, guards: OperationGuards = direct): StoreRoles {
  const w =
    <A extends unknown[], R>(f: (...args: A) => MaybePromise<R>) =>
    (...args: A): Promise<R> =>
      guards.write(() => f(...args))
  const r =
    <A extends unknown[], R>(f: (...args: A) => MaybePromise<R>) =>
    (...args: A): Promise<R> =>
      guards.read(() => f(...args))
  return {
    queue: {
      enqueue: ops.enqueue,
      expand: w(ops.expand),
      claim: w(ops.claim),
      complete: w(ops.complete),
      transition: w(ops.transition),
      deleteDeliveries: w(ops.deleteDeliveries),
      getDelivery: r(ops.getDelivery),
      listDeliveries: r(ops.listDeliveries),
      listAttempts: r(ops.listAttempts),
      getMessage: r(ops.getMessage),
    },
    catalog: {
      upsertCollection: w(ops.upsertCollection),
      getCollection: r(ops.getCollection),
      listCollections: r(ops.listCollections),
      deleteCollection: w(ops.deleteCollection),
      insertEndpoint: w(ops.insertEndpoint),
      updateEndpoint: w(ops.updateEndpoint),
      getEndpoint: r(ops.getEndpoint),
      getEndpointByName: r(ops.getEndpointByName),
      listEndpoints: r(ops.listEndpoints),
      deleteEndpoint: w(ops.deleteEndpoint),
      setEndpointHealth: w(ops.setEndpointHealth),
      ensureTenant: w(ops.ensureTenant),
      upsertTenant: w(ops.upsertTenant),
      getTenant: r(ops.getTenant),
      listTenants: r(ops.listTenants),
      leaseProbe: w(ops.leaseProbe),
      ...(ops.configVersion && { configVersion: r(ops.configVersion) }),
    },
    housekeeping: {
      migrate: w(ops.migrate),
      purge: w(ops.purge),
      stats: w(ops.stats),
      putResult: ops.putResult,
      getResult: r(ops.getResult),
      purgeTenant: w(ops.purgeTenant),
    },
  }
}
