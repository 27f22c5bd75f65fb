import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOutbox } from '@hookbox/core'
import pg from 'pg'
import { postgresStore } from '../src/index.js'

/** The test server: `DATABASE_URL`, or the local trust-auth server's `test` database. */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A uniquely named schema for one test file, and a pool; `drop()` removes both. */
export interface TestSchema {
  schema: string
  pool: pg.Pool
  drop(): Promise<void>
}

/** Creates a pool and picks a fresh schema name (`migrate()` creates the schema itself). */
export function testSchema(prefix = 'hb_test', max = 6): TestSchema {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`
  const pool = new pg.Pool({ connectionString: databaseUrl, max })
  return {
    schema,
    pool,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    },
  }
}

/** One request the receiver got. */
export interface Received {
  webhookId: string
  body: string
  headers: IncomingMessage['headers']
}

/** A real HTTP receiver on 127.0.0.1 that records what it gets and answers 200 (or `respond`). */
export interface Receiver {
  url: string
  received: Received[]
  /** Resolves once `n` requests have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function startReceiver(respond?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Receiver> {
  const received: Received[] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ webhookId: String(req.headers['webhook-id']), body, headers: req.headers })
      if (respond) respond(req, res, body)
      else res.writeHead(200).end('ok')
      for (const w of [...waiters])
        if (received.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve()
        }
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    waitFor(n, timeoutMs = 10_000) {
      if (received.length >= n) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${received.length} of ${n} requests in ${timeoutMs} ms`)), timeoutMs)
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) })
      })
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** Polls `check` until it returns true (rejects after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/**
 * Tuples of `table` this connection's transaction has read so far: fetched through an index (a
 * bitmap heap scan counts too) plus read by a sequential scan. Take it before and after what
 * is measured: the backend's counts not yet flushed include earlier transactions' on the same
 * connection.
 */
export async function tuplesReadSoFar(c: pg.PoolClient, schema: string, table: string): Promise<number> {
  const { rows } = await c.query(
    'SELECT coalesce(sum(idx_tup_fetch + seq_tup_read), 0) AS n FROM pg_stat_xact_user_tables WHERE schemaname = $1 AND relname = $2',
    [schema, table],
  )
  return Number(rows[0].n)
}

/**
 * How many tuples of `table` one statement reads ({@link tuplesReadSoFar} before and after it),
 * in a transaction of its own, rolled back, on `on` if given, else on a connection of its own.
 */
export async function tuplesRead(t: TestSchema, table: string, text: string, values: unknown[] = [], on?: pg.PoolClient): Promise<number> {
  const c = on ?? (await t.pool.connect())
  try {
    await c.query('BEGIN')
    const before = await tuplesReadSoFar(c, t.schema, table)
    await c.query(text, values)
    const n = (await tuplesReadSoFar(c, t.schema, table)) - before
    await c.query('ROLLBACK')
    return n
  } finally {
    if (!on) c.release()
  }
}

/**
 * Inserts pending `each` deliveries `from`…`to` (ids their number, zero-padded to 8 digits) of
 * collection `c` for `endpoint` (null: none), due at `dueAt`, leased by no one, then ANALYZEs.
 */
export async function insertPending(t: TestSchema, from: number, to: number, endpoint: string | null, dueAt: number): Promise<void> {
  const s = `"${t.schema}"`
  await t.pool.query(
    `INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets,
      state, next_attempt_at, window_start, created_at, updated_at)
    SELECT lpad(g::text, 8, '0'), 'm' || g, g, 'r' || g, 'c', 'each', $3, '[]', 'pending', $4, 0, 0, 0 FROM generate_series($1::int, $2::int) g`,
    [from, to, endpoint, dueAt],
  )
  await t.pool.query(`ANALYZE ${s}.deliveries`)
}

/** One statement a pool ran: its text and values, to EXPLAIN afterwards. */
export interface RanStatement {
  text: string
  values: unknown[]
}

/** Records every statement `pool.query` runs (text and values) into the returned array. */
export function recordStatements(pool: pg.Pool): RanStatement[] {
  const ran: RanStatement[] = []
  const query = pool.query.bind(pool) as (config: unknown) => Promise<pg.QueryResult>
  Object.assign(pool, {
    query: (config: { text: string; values?: unknown[] }) => {
      if (typeof config === 'object' && config.text) ran.push({ text: config.text, values: config.values ?? [] })
      return query(config)
    },
  })
  return ran
}

/** Each statement's plan with sequential scans off, as one text per statement: what it can seek. */
export async function plansWithoutSeqScans(pool: pg.Pool, statements: readonly RanStatement[]): Promise<string[]> {
  const c = await pool.connect()
  try {
    await c.query('SET enable_seqscan = off')
    const plans: string[] = []
    for (const r of statements) {
      const { rows } = await c.query(`EXPLAIN ${r.text}`, r.values)
      plans.push(rows.map((p) => p['QUERY PLAN']).join('\n'))
    }
    return plans
  } finally {
    c.release()
  }
}

/**
 * A migrated store on `t` (poll wake-ups) with collection `main` (`a.*`) and one endpoint, and
 * `messages` notifies of `a.b` committed: the backlog most expansion and claim tests start from.
 */
export async function backlogOutbox(t: TestSchema, messages: number) {
  const store = postgresStore({ pool: t.pool, schema: t.schema, wake: 'poll' })
  const outbox = createOutbox({ store })
  await outbox.migrate()
  await outbox.collections.upsert({ name: 'main', events: ['a.*'] })
  await outbox.endpoints.create({ collection: 'main', url: 'https://example.com/hook' })
  await outbox.notifyMany(Array.from({ length: messages }, (_, i) => ({ type: 'a.b', payload: { i } })))
  return { store, outbox }
}
