import type { Kysely, PostgresPool } from 'kysely'

/**
 * The subset of a pg `Client` the LISTEN connection uses. A `pg.Client` fits; so does any
 * client with the same `connect`, `query`, `on` and `end`.
 */
export interface PgListenClient {
  connect(): Promise<unknown>
  query(text: string): Promise<unknown>
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'end', listener: () => void): unknown
  end(): Promise<void>
}

/**
 * The subset of a `pg.Pool` the store uses: kysely's `PostgresPool`, plus the pool's own
 * `options` and `Client` class (both present on `pg.Pool`) to open the LISTEN connection.
 */
export type PgPoolLike = PostgresPool & {
  options?: object
  Client?: new (config?: object) => PgListenClient
}

/** How a committed `notify` reaches dispatchers in other processes. */
export type WakeMode = 'notify' | 'coalesced' | 'poll'

/** Options of {@link postgresStore}. Give exactly one of `pool` or `db`. */
export interface PostgresStoreConfig {
  /** A `pg.Pool`; the store builds its kysely instance over it and never ends it. */
  pool?: PgPoolLike
  /**
   * A kysely instance on the `PostgresDialect`, instead of `pool`. The store never destroys it.
   * With only `db`, LISTEN needs `listenConnectionString` or `listenClient` (kysely does not
   * expose its pool); without them dispatchers rely on their poll interval.
   */
  db?: Kysely<any>
  /** Schema holding the tables (default `hookbox`); created by `migrate()`. */
  schema?: string
  /**
   * How dispatchers learn of new messages.
   * - `coalesced` (default): like `notify`, but while a process calls `notify()` more often
   *   than every `coalesceQuietMs` it adds `pg_notify` to at most one per `coalesceMs`;
   *   listeners look again shortly after each wake-up to pick up the transactions that rode
   *   along. Busy hosts pay for NOTIFY's commit lock a few times a second instead of on every
   *   transaction; a host at a few hundred transactions a second wakes listeners at each commit.
   * - `notify`: every `notify()` adds `pg_notify` to its INSERT, so dispatchers listening
   *   anywhere wake when that transaction commits (never on rollback).
   * - `poll`: no NOTIFY and no LISTEN; dispatchers find work on their `pollIntervalMs` (use it
   *   behind PgBouncer in transaction mode, or to shave the last bit of commit cost).
   */
  wake?: WakeMode
  /** Window of the `coalesced` wake mode, in ms (default 50). */
  coalesceMs?: number
  /**
   * In the `coalesced` mode, a `notify()` that comes at least this long (ms) after the
   * process's previous one always carries `pg_notify` (default 2; `Infinity`: only the window).
   */
  coalesceQuietMs?: number
  /**
   * Connection string for the LISTEN connection, when the pool goes through a proxy that
   * cannot hold LISTEN (PgBouncer in transaction mode): point it straight at Postgres.
   */
  listenConnectionString?: string
  /** Opens the LISTEN connection yourself (called again after each reconnect). Wins over `listenConnectionString`. */
  listenClient?: () => PgListenClient | Promise<PgListenClient>
  /**
   * Whether `notify` through a pg client (or the store's own pool) uses a named prepared
   * statement, parsed and planned once per connection (default true). Set false behind
   * PgBouncer in transaction mode older than 1.21 (or without `max_prepared_statements`).
   * Kysely transactions never use one: kysely does not name statements.
   */
  preparedStatements?: boolean
  /** Longest wait between LISTEN reconnect attempts, in ms (default 30 000). */
  listenMaxBackoffMs?: number
}
