/**
 * Opening a Hookbox outbox for the benchmarks on any store: a fresh SQLite file (WAL,
 * synchronous=NORMAL), a fresh Postgres schema or a fresh MySQL/MariaDB database, the routing the benchmark needs, a producer
 * that commits notifies in host transactions, and an optional no-op transport (`noop:` URLs
 * answer 200 at once, no I/O) to measure the engine without HTTP.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import mysql from 'mysql2'
import pg from 'pg'
import { createOutbox, policies, type Outbox, type OutboxOptions, type Transport } from '../packages/core/src/index.js'
import { mysqlStore } from '../packages/store-mysql/src/index.js'
import { postgresStore, type WakeMode } from '../packages/store-postgres/src/index.js'
import { sqliteStore } from '../packages/store-sqlite/src/index.js'
import { payloadFor } from './support.js'

export type StoreKind = 'sqlite' | 'postgres' | 'mysql'

/** How the store is named in section titles and figures. */
export const storeName = (kind: StoreKind): string => ({ sqlite: 'SQLite', postgres: 'Postgres', mysql: 'MySQL/MariaDB' })[kind]

/** Where an outbox lives; serialisable, so a child process can open the same one. */
export interface Target {
  kind: StoreKind
  /** SQLite file. */
  file?: string
  /** Postgres (or MySQL) connection string and schema. */
  url?: string
  schema?: string
  /** MySQL database. */
  database?: string
}

export const databaseUrl = (): string => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const mysqlUrl = (): string => process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** A fresh, empty place for an outbox. */
export function newTarget(kind: StoreKind): Target {
  if (kind === 'sqlite') return { kind, file: join(mkdtempSync(join(tmpdir(), 'hookbox-bench-')), 'app.db') }
  if (kind === 'mysql') return { kind, url: mysqlUrl(), database: `hb_bench_${randomBytes(4).toString('hex')}` }
  return { kind, url: databaseUrl(), schema: `hb_bench_${randomBytes(4).toString('hex')}` }
}

/** Removes the file or schema. */
export async function dropTarget(t: Target): Promise<void> {
  if (t.kind === 'sqlite') rmSync(dirname(t.file!), { recursive: true, force: true })
  else if (t.kind === 'mysql') {
    const c = mysql.createConnection({ uri: t.url! }).promise()
    await c.query(`DROP DATABASE IF EXISTS \`${t.database}\``).catch(() => undefined)
    await c.end()
  } else {
    const client = new pg.Client({ connectionString: t.url })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${t.schema}" CASCADE`).catch(() => undefined)
    await client.end()
  }
}

/** Answers 200 at once: the engine's cost without any network I/O. */
export const noopTransport: Transport = {
  schemes: ['noop:'],
  send: async () => ({
    ok: true,
    latencyMs: 0,
    response: { status: 200, contentType: 'application/json', retryAfterMs: null, snippet: '' },
  }),
}

export interface Box {
  outbox: Outbox
  /** Commits messages `i … i + count - 1` in one host transaction; their ids once committed. */
  produce(i: number, count: number): string[] | Promise<string[]>
  sqlite?: Database.Database
  pool?: pg.Pool
  /** The Postgres schema, when on Postgres. */
  pgSchema?: string
  mysql?: mysql.Pool
  /** The MySQL database, when on MySQL. */
  mysqlDatabase?: string
  close(): Promise<void>
}

export interface OpenOptions {
  /** Dispatcher concurrency; unset: the default. */
  concurrency?: number
  /** Dispatcher batch size; unset: the default. */
  batchSize?: number
  noop?: boolean
  wake?: WakeMode
  poolMax?: number
  /** Events go to tenants `t0 … t<tenants-1>`, spread (see {@link tenantOf}); unset: no tenant. */
  tenants?: number
}

/** The tenant of message `i` among `tenants`: neighbours differ, every tenant is used. */
export const tenantOf = (i: number, tenants: number): string => `t${(i * 7919) % tenants}`

/** Opens an outbox on the target (dispatcher not started). */
export async function openOutbox(t: Target, o: OpenOptions = {}): Promise<Box> {
  const common = {
    dispatcher: {
      ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
      ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    },
    http: { allowHttp: true },
    security: { ssrf: { allow: ['127.0.0.1'] } },
    ...(o.noop ? { transports: [noopTransport] } : {}),
  }
  const tenants = o.tenants
  const event = (i: number) => ({
    type: 'entity.state_changed',
    payload: payloadFor(i),
    ...(tenants ? { tenant: tenantOf(i, tenants) } : {}),
  })
  if (t.kind === 'sqlite') {
    const db = new Database(t.file!)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    const outbox = createOutbox({ store: sqliteStore({ database: db }), ...common })
    outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
    const one = db.transaction((i: number) => [outbox.notify(event(i), { transaction: db }).messageId])
    const many = db.transaction((i: number, count: number) =>
      outbox
        .notifyMany(
          Array.from({ length: count }, (_, k) => event(i + k)),
          { transaction: db },
        )
        .map((r) => r.messageId),
    )
    return {
      outbox,
      sqlite: db,
      produce: (i, count) => (count === 1 ? one(i) : many(i, count)),
      close: async () => {
        await outbox.close()
        db.close()
      },
    }
  }
  if (t.kind === 'mysql') return openMysql(t, o, common, event)
  const pool = new pg.Pool({ connectionString: t.url, max: o.poolMax ?? 12 })
  const outbox = createOutbox({ store: postgresStore({ pool, schema: t.schema!, ...(o.wake ? { wake: o.wake } : {}) }), ...common })
  outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
  const produce = async (i: number, count: number) => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const ids =
        count === 1
          ? [(await outbox.notify(event(i), { transaction: client })).messageId]
          : (
              await outbox.notifyMany(
                Array.from({ length: count }, (_, k) => event(i + k)),
                { transaction: client },
              )
            ).map((r) => r.messageId)
      await client.query('COMMIT')
      return ids
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }
  return {
    outbox,
    pool,
    pgSchema: t.schema!,
    produce,
    close: async () => {
      await outbox.close()
      await pool.end()
    },
  }
}

/** The MySQL outbox: its database is created on first open; the producer commits through a mysql2 connection. */
async function openMysql(
  t: Target,
  o: OpenOptions,
  common: Omit<OutboxOptions, 'store'>,
  event: (i: number) => { type: string; payload: unknown },
): Promise<Box> {
  const pool = mysql.createPool({ uri: t.url!, connectionLimit: o.poolMax ?? 12 })
  await pool.promise().query(`CREATE DATABASE IF NOT EXISTS \`${t.database}\``)
  const outbox = createOutbox({ store: mysqlStore({ pool, database: t.database! }), ...common })
  outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
  const produce = async (i: number, count: number) => {
    const c = await pool.promise().getConnection()
    try {
      await c.beginTransaction()
      const events = Array.from({ length: count }, (_, k) => event(i + k))
      const ids = (await outbox.notifyMany(events, { transaction: c })).map((r) => r.messageId)
      await c.commit()
      return ids
    } catch (error) {
      await c.rollback().catch(() => undefined)
      throw error
    } finally {
      c.release()
    }
  }
  return {
    outbox,
    mysql: pool,
    mysqlDatabase: t.database!,
    produce,
    close: async () => {
      await outbox.close()
      await pool.promise().end()
    },
  }
}

/** How many other tenants every figure's database holds (issue 16: "every figure with 10,000 tenants"). */
export const BACKGROUND_TENANTS = 10_000

/**
 * Migrates and creates collection `events` (`fixed` policy, `failureMode`) with `endpoints`
 * endpoints at `url` (paths /e0, /e1, …); returns the endpoint ids. Unless `tenants: 0`,
 * {@link BACKGROUND_TENANTS} other tenants with one endpoint each are in the database too
 * (see {@link seedTenants}); the benchmark's events have no tenant, so they never reach them.
 */
export async function route(
  box: Box,
  url: string,
  o: { endpoints?: number; failureMode?: 'each' | 'majority'; tenants?: number } = {},
): Promise<string[]> {
  await box.outbox.migrate()
  await box.outbox.collections.upsert({
    name: 'events',
    events: ['entity.*'],
    policy: policies.fixed(),
    failureMode: o.failureMode ?? 'each',
  })
  const ids: string[] = []
  for (let k = 0; k < (o.endpoints ?? 1); k++) {
    const e = await box.outbox.endpoints.create({ collection: 'events', url: url.startsWith('noop:') ? url : `${url}/e${k}` })
    ids.push(e.id)
  }
  await seedTenants(box, url, o.tenants ?? BACKGROUND_TENANTS)
  return ids
}

/**
 * Puts `count` tenants with one endpoint each (in collection `events`) into the database: one
 * made through `endpoints.create`, the rest copied from it in one bulk statement per table
 * (10,000 `create` calls would take longer than most sections).
 */
export async function seedTenants(box: Box, url: string, count: number): Promise<void> {
  if (count <= 0) return
  const seed = 'bg_0'
  await box.outbox.endpoints.create({ tenant: seed, collection: 'events', url: url.startsWith('noop:') ? url : `${url}/bg` })
  if (count === 1) return
  const copy = (cols: string[], cat: (...p: string[]) => string) =>
    cols.map((c) => (c === 'id' ? cat('id', "'_'", 'g') : c === 'tenant' ? cat("'bg_'", 'g') : c)).join(', ')
  if (box.sqlite) {
    const db = box.sqlite
    const cat = (...p: string[]) => p.join(' || ')
    db.transaction(() => {
      for (const table of ['hookbox_endpoints', 'hookbox_tenants']) {
        const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name)
        if (cols.length === 0) continue
        db.prepare(
          `WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < ${count - 1})
           INSERT INTO ${table} (${cols.join(', ')}) SELECT ${copy(cols, cat)} FROM ${table}, n WHERE tenant = ?`,
        ).run(seed)
      }
    })()
    db.exec('ANALYZE')
    return
  }
  if (box.mysql) {
    const c = box.mysql.promise()
    const cat = (...p: string[]) => `CONCAT(${p.join(', ')})`
    const digits =
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)'
    const numbers = `(SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS g FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f) n`
    for (const table of ['hookbox_endpoints', 'hookbox_tenants']) {
      const q = `\`${box.mysqlDatabase}\`.${table}`
      const [rows] = await c.query(
        'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [box.mysqlDatabase, table],
      )
      const cols = (rows as Array<{ name: string }>).map((r) => r.name)
      if (cols.length === 0) continue
      const quoted = cols.map((n) => `\`${n}\``)
      const select = cols
        .map((n) => (n === 'id' ? cat('t.id', "'_'", 'n.g') : n === 'tenant' ? cat("'bg_'", 'n.g') : `t.\`${n}\``))
        .join(', ')
      await c.query(
        `INSERT INTO ${q} (${quoted.join(', ')}) SELECT ${select} FROM ${q} t, ${numbers} WHERE t.tenant = ? AND n.g BETWEEN 1 AND ?`,
        [seed, count - 1],
      )
    }
    return
  }
  const pool = box.pool!
  const s = `"${box.pgSchema}"`
  const cat = (...p: string[]) => p.join(' || ')
  for (const table of ['endpoints', 'tenants']) {
    const { rows } = await pool.query<{ name: string }>(
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [box.pgSchema, table],
    )
    const cols = rows.map((r) => r.name)
    if (cols.length === 0) continue
    await pool.query(
      `INSERT INTO ${s}.${table} (${cols.join(', ')}) SELECT ${copy(cols, cat)} FROM ${s}.${table}, generate_series(1, ${count - 1}) g WHERE tenant = $1`,
      [seed],
    )
  }
  await pool.query(`ANALYZE ${s}.endpoints`)
}

/** Commits `n` messages, `perCommit` per host transaction (notifyMany), dispatcher not running. */
export async function commitMany(box: Box, n: number, perCommit = 100, startAt = 0): Promise<void> {
  for (let i = 0; i < n; i += perCommit) await box.produce(startAt + i, Math.min(perCommit, n - i))
}
