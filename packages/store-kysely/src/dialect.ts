import type * as core from '@hookbox/core'
import type {
  Compilable,
  CompiledQuery,
  Expression,
  InsertQueryBuilder,
  Insertable,
  Kysely,
  RawBuilder,
  SelectQueryBuilder,
  Selectable,
  SqlBool,
  UpdateObject,
} from 'kysely'
import type { Exec, MaybePromise, Plan } from './plan.js'
import type {
  AttemptsTable,
  CollectionsTable,
  DeliveriesTable,
  EndpointsTable,
  IdempotencyKeysTable,
  KyselyTables,
  MessagesTable,
  ResultsTable,
  TenantsTable,
} from './schema.js'

/** A store's row mappers, named alike in every store: the one place its column types show. */
export interface RowMappers {
  /** A delivery row as core's record. */
  deliveryFromRow(row: Selectable<DeliveriesTable>): core.DeliveryRecord
  /** A delivery the planner made as a row, under its message's `seq`. */
  deliveryToRow(delivery: core.NewDelivery, messageSeq: number): Insertable<DeliveriesTable>
  /** An attempt row as core's record. */
  attemptFromRow(row: Selectable<AttemptsTable>): core.AttemptRecord
  /** A message row as core's record. */
  messageFromRow(row: Selectable<MessagesTable>): core.MessageRecord
  /** Core's message record as a row. */
  messageToRow(message: core.MessageRecord): Insertable<MessagesTable>
  /** An endpoint row as core's record. */
  endpointFromRow(row: Selectable<EndpointsTable>): core.EndpointRecord
  /** Core's endpoint record as a row. */
  endpointToRow(endpoint: core.EndpointRecord): Insertable<EndpointsTable>
  /** A collection row as core's record. */
  collectionFromRow(row: Selectable<CollectionsTable>): core.CollectionRecord
  /** Core's collection record as a row. */
  collectionToRow(collection: core.CollectionRecord): Insertable<CollectionsTable>
  /** A tenant row as core's record. */
  tenantFromRow(row: Selectable<TenantsTable>): core.TenantRecord
  /** Core's tenant record as a row. */
  tenantToRow(tenant: core.TenantRecord): Insertable<TenantsTable>
  /** A result row as core's record. */
  resultFromRow(row: Selectable<ResultsTable>): core.ResultRecord
  /** Core's result record as a row. */
  resultToRow(result: core.ResultRecord): Insertable<ResultsTable>
}

/** Who holds an idempotency key, as `hookbox_idempotency_keys` has it. */
export type KeyOwnerRow = Pick<IdempotencyKeysTable, 'tenant' | 'key' | 'message_id' | 'request_id'>

/**
 * What a SQL store gives the shared queries: how to build and run statements, its row mappers,
 * and the few places where SQL dialects differ. Everything else is the same SQL in every store.
 */
export interface KyselyDialect {
  /** Kysely over the store's tables, for building statements (the dialect runs them). */
  readonly qb: Kysely<KyselyTables>
  /** The store's row mappers. */
  readonly rows: RowMappers
  /** Runs one statement on the store's own connection, outside any transaction. */
  readonly exec: Exec
  /** A table's quoted (and, where the store is given a database, qualified) name, for raw SQL. */
  table(name: keyof KyselyTables): string
  /**
   * A multi-row INSERT whose SQL is built once per table, column list and row count; later
   * calls only flatten the values (the hot path's inserts).
   */
  insert(table: keyof KyselyTables, rows: ReadonlyArray<Record<string, unknown>>): CompiledQuery
  /**
   * A hot-path query whose SQL depends only on `key`: built once, then reused with `values`,
   * which must be its parameters in kysely's order (checked on the first build).
   */
  shaped<R>(key: string, values: unknown[], build: () => Compilable<R>): CompiledQuery<R>
  /**
   * Runs `plan` in one transaction of the store's own. `scan` marks the transactions whose
   * locking reads scan an index range (retention), for a dialect that lowers their isolation.
   */
  transaction<T>(plan: Plan<T>, scan?: 'scan'): MaybePromise<T>
  /**
   * A select that locks the rows it reads until the transaction ends (`FOR UPDATE`, skipping
   * rows others hold with `skipLocked`); unchanged where the transaction already holds the
   * database (SQLite's write lock).
   */
  lock<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, skipLocked?: 'skip locked'): SelectQueryBuilder<DB, TB, O>
  /**
   * Keeps one tenant's rows of `hookbox_deliveries` (unqualified columns; `tenant` is the
   * column's value, `''` for none) in the form the store's tenant index serves: it leads with
   * the block of message sequence numbers, so the condition seeks (block, tenant) block by block.
   */
  deliveriesOfTenant(tenant: string): RawBuilder<SqlBool>
  /** Whether the JSON array of strings in `column` holds `value`. */
  jsonArrayContains(column: string, value: string): Expression<SqlBool>
  /**
   * An INSERT that, on a row with the same `keys`, writes `changes` instead, or keeps the row
   * as it is when `changes` is undefined.
   */
  upsert<DB, TB extends keyof DB, O>(
    insert: InsertQueryBuilder<DB, TB, O>,
    keys: readonly string[],
    changes: UpdateObject<DB, TB> | undefined,
  ): InsertQueryBuilder<DB, TB, O>
  /**
   * Within enqueue's transaction: writes `keys`, taking over each key whose holder was created
   * before `since` (and no other), and returns the owner of every key in `keys`. The dialect's
   * part is how: an upsert that returns its rows, or an upsert then a locking read.
   */
  takeKeys(keys: Array<Insertable<IdempotencyKeysTable>>, since: number): Plan<KeyOwnerRow[]>
  /** Within a retention transaction: deletes up to `limit` results expired at `now`, oldest first; returns how many. */
  purgeResults(o: { now: number; limit: number }): Plan<number>
}
