/**
 * Test harness: the service and two customers' receivers on 127.0.0.1:0, over SQLite, a fresh
 * Postgres schema or a fresh MySQL/MariaDB database, with a ManualClock shared by the outbox
 * and the receivers' JWT checks.
 */
import { generateKeyPair, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { createPool } from 'mysql2'
import pg from 'pg'
import { ManualClock, type Outbox, type Store } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'
import { postgresStore } from '@hookbox/store-postgres'
import { mysqlStore } from '@hookbox/store-mysql'
import { createApp } from '../src/app.js'
import { API_KEY_HEADER, customerDirectory } from '../src/customers.js'
import { mysqlHost, postgresHost, sqliteHost, type HostDb } from '../src/db.js'
import { BackgroundJobs } from '../src/jobs.js'
import { createReceiver, type Receiver } from '../src/receiver.js'
import { configure, createKycOutbox, signingSecrets, type ReceiverSetup } from '../src/setup.js'

export type StoreKind = 'sqlite' | 'postgres' | 'mysql'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** Whether a test server answers `SELECT 1` within a second. */
async function answers(probe: { query: (q: string) => Promise<unknown>; end: () => Promise<unknown> }, connect?: () => Promise<unknown>) {
  try {
    await connect?.()
    await probe.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await probe.end().catch(() => {})
  }
}

/** SQLite always; Postgres and MySQL/MariaDB when their test server answers within a second. */
export async function availableStores(): Promise<StoreKind[]> {
  const pgClient = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1000 })
  const mysqlPool = createPool({ uri: mysqlUrl, connectTimeout: 1000, connectionLimit: 1 }).promise()
  const [postgres, mysql] = await Promise.all([answers(pgClient, () => pgClient.connect()), answers(mysqlPool)])
  return ['sqlite', ...(postgres ? ['postgres' as const] : []), ...(mysql ? ['mysql' as const] : [])]
}

let key: Promise<string> | undefined
const KEY_CACHE = join(tmpdir(), 'hookbox-example-express-test-rsa4096.pem')
/**
 * An RSA-4096 test key (FrankieOne's size). Generating one takes seconds of CPU, so it is
 * kept in the temp dir and shared by test files and runs (written atomically; test-only).
 */
export function jwtKey(): Promise<string> {
  key ??= (async () => {
    if (existsSync(KEY_CACHE)) return readFileSync(KEY_CACHE, 'utf8')
    const { privateKey } = await promisify(generateKeyPair)('rsa', {
      modulusLength: 4096,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    const partial = `${KEY_CACHE}.${process.pid}`
    writeFileSync(partial, privateKey, { mode: 0o600 })
    renameSync(partial, KEY_CACHE)
    return privateKey
  })()
  return key
}

export const OPS = { authorization: 'Bearer ops-secret' }
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

/** The two customers of every stack: their tenant, API key and Incode client credentials. */
export const CUSTOMERS = [
  { tenant: 'acme', apiKey: 'acme-api-key', incode: { clientId: 'incode-client', clientSecret: 'incode-secret' } },
  { tenant: 'globex', apiKey: 'globex-api-key', incode: { clientId: 'globex-incode-client', clientSecret: 'globex-incode-secret' } },
] as const
export type TenantName = (typeof CUSTOMERS)[number]['tenant']
/** Acme's Incode client credentials (the first customer's). */
export const INCODE_CLIENT = CUSTOMERS[0].incode

/** The receivers every test stack configures, for each customer on its own receiver. */
export function standardSetup(r: string, tenant: TenantName = 'acme'): ReceiverSetup {
  const incode = CUSTOMERS.find((c) => c.tenant === tenant)!.incode
  return {
    frankieOneV1: {
      FUNCTION: [`${r}/frankieone/v1/FUNCTION`],
      EVENT: [`${r}/frankieone/v1/EVENT-a`, `${r}/frankieone/v1/EVENT-b`, `${r}/frankieone/v1/EVENT-c`],
      RESULT: [`${r}/frankieone/v1/RESULT`],
    },
    frankieOneV2: [
      { url: `${r}/frankieone/v2/main` },
      { url: `${r}/frankieone/v2/workflows`, functions: ['WORKFLOW_COMPLETE', 'WORKFLOW_ERROR'] },
    ],
    incode: [
      {
        url: `${r}/incode/main`,
        auth: { type: 'oauth2', tokenUrl: `${r}/oauth/token`, ...incode },
        publicHeaders: { 'x-incode-tenant': tenant },
      },
      { url: `${r}/incode/static`, auth: { type: 'oauth2', token: 'static-incode-token' } },
    ],
  }
}

/** Calls the service. */
export type Api = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: any; headers: Headers }>

/** One customer of a running stack: its tenant, its own receiver, and the service called with its API key. */
export interface Customer {
  tenant: TenantName
  apiKey: string
  receiver: Receiver
  receiverUrl: string
  api: Api
}

/** A running service + one receiver per customer. */
export interface Stack {
  kind: StoreKind
  appUrl: string
  outbox: Outbox
  clock: ManualClock
  jobs: BackgroundJobs
  db: HostDb
  acme: Customer
  globex: Customer
  /** Acme's receiver, URL and API calls: the single-customer suites use these. */
  receiver: Receiver
  receiverUrl: string
  api: Api
  /** Calls the service with no customer API key (ops, health, refusals). */
  anonymous: Api
  /** Waits for background jobs, then runs one full dispatch pass at the current clock time. */
  settle(): Promise<void>
  close(): Promise<void>
}

async function listen(app: { listen: (port: number, host: string, cb: () => void) => Server }): Promise<{ server: Server; url: string }> {
  let server!: Server
  await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', r)))
  server.keepAliveTimeout = 1000
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const stop = (s: Server) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))

/** Starts the service and both customers' receivers over a fresh database of `kind`. */
export async function startStack(
  kind: StoreKind,
  setup: (receiverUrl: string, tenant: TenantName) => ReceiverSetup = standardSetup,
): Promise<Stack> {
  let store: Store
  let db: HostDb
  let cleanup: () => Promise<void>
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hookbox-express-test-'))
    const sqlite = new Database(join(dir, 'app.db'))
    sqlite.pragma('journal_mode = WAL')
    store = sqliteStore({ database: sqlite })
    db = sqliteHost(sqlite)
    cleanup = async () => {
      sqlite.close()
      rmSync(dir, { recursive: true, force: true })
    }
  } else if (kind === 'mysql') {
    // Each run in its own database (outbox and host tables), dropped afterwards.
    const name = `hb_express_${randomBytes(5).toString('hex')}`
    const admin = createPool({ uri: mysqlUrl, connectionLimit: 1 }).promise()
    await admin.query(`CREATE DATABASE \`${name}\``)
    const url = new URL(mysqlUrl)
    url.pathname = `/${name}`
    const pool = createPool({ uri: url.toString(), connectionLimit: 8 })
    store = mysqlStore({ pool })
    db = mysqlHost(pool)
    cleanup = async () => {
      await pool.promise().end()
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await admin.end()
    }
  } else {
    // Each run in its own schema (outbox and host tables), dropped afterwards.
    const schema = `hb_express_${randomBytes(5).toString('hex')}`
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 })
    store = postgresStore({ pool, schema })
    db = postgresHost(pool, schema)
    cleanup = async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    }
  }
  const clock = new ManualClock()
  const { outbox, security } = createKycOutbox({
    store,
    clock,
    jwtPrivateKey: await jwtKey(),
    encryptionKey: randomBytes(32).toString('base64'),
    allowLocalReceivers: true,
  })
  outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
  const jobs = new BackgroundJobs()
  const customers = customerDirectory(Object.fromEntries(CUSTOMERS.map((c) => [c.apiKey, c.tenant])))
  const app = await listen(createApp({ outbox, db, customers, security, jobs, opsToken: 'ops-secret' }))
  const call =
    (apiKey?: string): Api =>
    async (method, path, body, headers = {}) => {
      const res = await fetch(`${app.url}${path}`, {
        method,
        headers: {
          ...(apiKey ? { [API_KEY_HEADER]: apiKey } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      return { status: res.status, body: parsed as any, headers: res.headers }
    }
  const receivers: Array<{ customer: Customer; server: Server }> = []
  for (const c of CUSTOMERS) {
    const receiver = createReceiver({
      jwksUrl: `${app.url}/.well-known/jwks.json`,
      oauth: c.incode,
      staticBearerTokens: ['static-incode-token'],
      now: () => clock.now(),
    })
    const rcv = await listen(receiver.app)
    receivers.push({
      customer: { tenant: c.tenant, apiKey: c.apiKey, receiver, receiverUrl: rcv.url, api: call(c.apiKey) },
      server: rcv.server,
    })
  }
  const [acme, globex] = receivers.map((r) => r.customer) as [Customer, Customer]
  await db.init()
  await configure(outbox, Object.fromEntries([acme, globex].map((c) => [c.tenant, setup(c.receiverUrl, c.tenant)])))
  for (const c of [acme, globex]) for (const { url, secret } of await signingSecrets(outbox, c.tenant)) c.receiver.trust(url, secret)

  return {
    kind,
    appUrl: app.url,
    outbox,
    clock,
    jobs,
    db,
    acme,
    globex,
    receiver: acme.receiver,
    receiverUrl: acme.receiverUrl,
    api: acme.api,
    anonymous: call(),
    async settle() {
      await jobs.idle()
      await outbox.drain()
    },
    async close() {
      await jobs.idle()
      await stop(app.server)
      for (const r of receivers) await stop(r.server)
      await outbox.close()
      await cleanup()
    },
  }
}
