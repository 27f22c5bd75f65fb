import type Database from 'better-sqlite3'
import { Kysely, PostgresDialect, sql } from 'kysely'
import type pg from 'pg'
import type { NotifyResult, Outbox, OutboxEvent } from '@hookbox/core'

/** One row of the host's own data (an entity, a workflow execution, an interview…). */
export interface RecordWrite {
  kind: string
  id: string
  data: unknown
}

/**
 * The host application's database, reduced to what the example needs: a JSON record table and
 * one operation that writes records and outbox events in the same transaction.
 */
/** A response to keep for later retrieval by request id. */
export interface CachedResult {
  requestId: string
  status: number
  body: unknown
}

export interface HostDb {
  readonly kind: 'sqlite' | 'postgres'
  /** Creates the host's table (the outbox creates its own in `outbox.migrate()`). */
  init(): Promise<void>
  get<T>(kind: string, id: string): Promise<T | undefined>
  /**
   * Writes `records`, caches `results` (FrankieOne `/retrieve`, Attestr GetAsyncResponse) and
   * notifies `events` atomically: all commit, or none does.
   */
  commit(outbox: Outbox, records: RecordWrite[], events: OutboxEvent[], results?: CachedResult[]): Promise<NotifyResult[]>
}

/** The host database on better-sqlite3: `notify` runs inside `db.transaction(() => …)()`. */
export function sqliteHost(db: Database.Database): HostDb {
  return {
    kind: 'sqlite',
    async init() {
      db.exec('CREATE TABLE IF NOT EXISTS app_records (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id))')
    },
    async get<T>(kind: string, id: string) {
      const row = db.prepare('SELECT data FROM app_records WHERE kind = ? AND id = ?').get(kind, id) as { data: string } | undefined
      return row ? (JSON.parse(row.data) as T) : undefined
    },
    async commit(outbox, records, events, results = []) {
      const upsert = db.prepare(
        'INSERT INTO app_records (kind, id, data) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data',
      )
      // better-sqlite3 transactions are synchronous, so notify writes its rows before returning.
      return db.transaction(() => {
        for (const r of records) upsert.run(r.kind, r.id, JSON.stringify(r.data))
        for (const r of results) outbox.results.put(r.requestId, r, { transaction: db })
        return events.length ? outbox.notifyMany(events, { transaction: db }) : []
      })()
    },
  }
}

/** The host database on PostgreSQL through kysely: `notify` joins the kysely transaction. */
export function postgresHost(pool: pg.Pool, schema = 'public'): HostDb {
  const root = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  const db = root.withSchema(schema)
  return {
    kind: 'postgres',
    async init() {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(root)
      await sql`CREATE TABLE IF NOT EXISTS ${sql.id(schema, 'app_records')} (kind text NOT NULL, id text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (kind, id))`.execute(
        root,
      )
    },
    async get<T>(kind: string, id: string) {
      const row = await db.selectFrom('app_records').select('data').where('kind', '=', kind).where('id', '=', id).executeTakeFirst()
      return row?.data as T | undefined
    },
    commit(outbox, records, events, results = []) {
      return root.transaction().execute(async (trx) => {
        for (const r of records)
          await trx
            .withSchema(schema)
            .insertInto('app_records')
            .values({ kind: r.kind, id: r.id, data: JSON.stringify(r.data) })
            .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ data: JSON.stringify(r.data) }))
            .execute()
        for (const r of results) await outbox.results.put(r.requestId, r, { transaction: trx })
        return events.length ? outbox.notifyMany(events, { transaction: trx }) : []
      })
    },
  }
}
