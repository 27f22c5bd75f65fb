import type { KyselyTables } from '@hookbox/store-kysely'

export type {
  AttemptsTable,
  CollectionsTable,
  DeliveriesTable,
  EndpointsTable,
  IdempotencyKeysTable,
  MessagesTable,
  ResultsTable,
  TenantsTable,
} from '@hookbox/store-kysely'

/** `hookbox_migrations`. */
export interface MigrationsTable {
  version: number
  name: string
  applied_at: number
}

/** The store's tables, for kysely: the shared ones and the migrations table. */
export interface HookboxMysqlSchema extends KyselyTables {
  hookbox_migrations: MigrationsTable
}
