import type Database from 'better-sqlite3'
import { Kysely, MysqlDialect, PostgresDialect, sql, type Transaction } from 'kysely'
import type { Pool as MysqlPool } from 'mysql2'
import type pg from 'pg'
import type { NotifyResult, Outbox, OutboxEvent } from '@hookbox/core'

/** One row of the host's own data (an entity, a workflow execution, an interview…). */
export interface RecordWrite {
  kind: string
  id: string
  data: unknown
}

/** A response to keep for later retrieval by request id. */
export interface CachedResult {
  requestId: string
  status: number
  body: unknown
}

/**
 * The host application's database, reduced to what the example needs: a JSON record table and
 * one operation that writes records and outbox events in the same transaction. Every record,
 * event and cached result belongs to one customer (a Hookbox tenant): a customer reads only
 * its own records, and what it commits reaches only its own endpoints.
 */
export interface HostDb {
  readonly kind: 'sqlite' | 'postgres' | 'mysql'
  /** Creates the host's table (the outbox creates its own in `outbox.migrate()`). */
  init(): Promise<void>
  /** The customer's record, or undefined (also when the id is another customer's). */
  get<T>(tenant: string, kind: string, id: string): Promise<T | undefined>
  /**
   * Writes `records`, caches `results` (FrankieOne `/retrieve`, Attestr GetAsyncResponse) and
   * notifies `events`, all as `tenant`'s, atomically: all commit, or none does.
   */
  commit(outbox: Outbox, tenant: string, records: RecordWrite[], events: OutboxEvent[], results?: CachedResult[]): Promise<NotifyResult[]>
}

/** The events, each stamped with the customer's tenant (whatever the route put there). */
const owned = (tenant: string, events: OutboxEvent[]) => events.map((e) => ({ ...e, tenant }))

/** The host database on better-sqlite3: `notify` runs inside `db.transaction(() => …)()`. */
export function sqliteHost(db: Database.Database): HostDb {
  return {
    kind: 'sqlite',
    async init() {
      db.exec(
        'CREATE TABLE IF NOT EXISTS app_records (tenant TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant, kind, id))',
      )
    },
    async get<T>(tenant: string, kind: string, id: string) {
      const row = db.prepare('SELECT data FROM app_records WHERE tenant = ? AND kind = ? AND id = ?').get(tenant, kind, id) as
        { data: string } | undefined
      return row ? (JSON.parse(row.data) as T) : undefined
    },
    async commit(outbox, tenant, records, events, results = []) {
      const upsert = db.prepare(
        'INSERT INTO app_records (tenant, kind, id, data) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, kind, id) DO UPDATE SET data = excluded.data',
      )
      // better-sqlite3 transactions are synchronous, so notify writes its rows before returning.
      return db.transaction(() => {
        for (const r of records) upsert.run(tenant, r.kind, r.id, JSON.stringify(r.data))
        for (const r of results) outbox.results.put(r.requestId, r, { tenant, transaction: db })
        return events.length ? outbox.notifyMany(owned(tenant, events), { transaction: db }) : []
      })()
    },
  }
}

/**
 * The kysely side shared by the Postgres and MySQL hosts: the records and results are written
 * in a kysely transaction that `notifyMany` joins. `upsert` is the dialect's INSERT … ON
 * CONFLICT / ON DUPLICATE KEY.
 */
function kyselyHost(
  kind: 'postgres' | 'mysql',
  root: Kysely<any>,
  init: () => Promise<void>,
  upsert: (trx: Transaction<any>, row: { tenant: string; kind: string; id: string; data: string }) => Promise<unknown>,
  table: (db: Kysely<any>) => Kysely<any>,
): HostDb {
  return {
    kind,
    init,
    async get<T>(tenant: string, recordKind: string, id: string) {
      const row = await table(root)
        .selectFrom('app_records')
        .select('data')
        .where('tenant', '=', tenant)
        .where('kind', '=', recordKind)
        .where('id', '=', id)
        .executeTakeFirst()
      if (!row) return undefined
      return (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as T
    },
    commit(outbox, tenant, records, events, results = []) {
      return root.transaction().execute(async (trx) => {
        for (const r of records) await upsert(trx, { tenant, kind: r.kind, id: r.id, data: JSON.stringify(r.data) })
        for (const r of results) await outbox.results.put(r.requestId, r, { tenant, transaction: trx })
        return events.length ? outbox.notifyMany(owned(tenant, events), { transaction: trx }) : []
      })
    },
  }
}

/** The host database on PostgreSQL through kysely: `notify` joins the kysely transaction. */
export function postgresHost(pool: pg.Pool, schema = 'public'): HostDb {
  const root = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  return kyselyHost(
    'postgres',
    root,
    async () => {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(root)
      await sql`CREATE TABLE IF NOT EXISTS ${sql.id(schema, 'app_records')} (tenant text NOT NULL, kind text NOT NULL, id text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (tenant, kind, id))`.execute(
        root,
      )
    },
    (trx, row) =>
      trx
        .withSchema(schema)
        .insertInto('app_records')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant', 'kind', 'id']).doUpdateSet({ data: row.data }))
        .execute(),
    (db) => db.withSchema(schema),
  )
}

/**
 * The host database on MySQL 8 or MariaDB through kysely (the pool's default database holds
 * the host's table and the outbox's): `notify` joins the kysely transaction.
 */
export function mysqlHost(pool: MysqlPool): HostDb {
  const root = new Kysely<any>({ dialect: new MysqlDialect({ pool }) })
  return kyselyHost(
    'mysql',
    root,
    async () => {
      await sql`CREATE TABLE IF NOT EXISTS app_records (tenant VARCHAR(128) NOT NULL, kind VARCHAR(64) NOT NULL, id VARCHAR(191) NOT NULL, data LONGTEXT NOT NULL, PRIMARY KEY (tenant, kind, id))`.execute(
        root,
      )
    },
    (trx, row) => trx.insertInto('app_records').values(row).onDuplicateKeyUpdate({ data: row.data }).execute(),
    (db) => db,
  )
}
