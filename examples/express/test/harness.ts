/**
 * Test harness: the service and the receiver on 127.0.0.1:0, over SQLite or a fresh
 * Postgres schema, with a ManualClock shared by the outbox and the receiver's JWT checks.
 */
import { generateKeyPair, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { ManualClock, type Outbox, type Store } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'
import { postgresStore } from '@hookbox/store-postgres'
import { createApp } from '../src/app.js'
import { postgresHost, sqliteHost, type HostDb } from '../src/db.js'
import { BackgroundJobs } from '../src/jobs.js'
import { createReceiver, type Receiver } from '../src/receiver.js'
import { configure, createKycOutbox, signingSecrets, type ReceiverSetup } from '../src/setup.js'

export type StoreKind = 'sqlite' | 'postgres'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** SQLite always; Postgres when the test server answers within a second. */
export async function availableStores(): Promise<StoreKind[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return ['sqlite', 'postgres']
  } catch {
    return ['sqlite']
  } finally {
    await client.end().catch(() => {})
  }
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
/** The customers' API keys (portal sign-in and `x-api-key`). */
export const CUSTOMER_KEYS = { 'key-acme': 'acme', 'key-globex': 'globex' }
export const INCODE_CLIENT = { clientId: 'incode-client', clientSecret: 'incode-secret' }
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

/** The receivers every test stack configures. */
export function standardSetup(r: string): ReceiverSetup {
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
        auth: { type: 'oauth2', tokenUrl: `${r}/oauth/token`, ...INCODE_CLIENT },
        publicHeaders: { 'x-incode-tenant': 'acme' },
      },
      { url: `${r}/incode/static`, auth: { type: 'oauth2', token: 'static-incode-token' } },
    ],
  }
}

/** A running service + receiver. */
export interface Stack {
  kind: StoreKind
  appUrl: string
  receiverUrl: string
  outbox: Outbox
  clock: ManualClock
  jobs: BackgroundJobs
  receiver: Receiver
  db: HostDb
  /** Waits for background jobs, then runs one full dispatch pass at the current clock time. */
  settle(): Promise<void>
  /** Calls the service. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>
  close(): Promise<void>
}

async function listen(app: { listen: (port: number, host: string, cb: () => void) => Server }): Promise<{ server: Server; url: string }> {
  let server!: Server
  await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', r)))
  server.keepAliveTimeout = 1000
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const stop = (s: Server) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))

/** Starts the service and the receiver over a fresh database of `kind`. */
export async function startStack(kind: StoreKind, setup: (receiverUrl: string) => ReceiverSetup = standardSetup): Promise<Stack> {
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
  const app = await listen(createApp({ outbox, db, security, jobs, opsToken: 'ops-secret', apiKeys: CUSTOMER_KEYS }))
  const receiver = createReceiver({
    jwksUrl: `${app.url}/.well-known/jwks.json`,
    oauth: INCODE_CLIENT,
    staticBearerTokens: ['static-incode-token'],
    now: () => clock.now(),
  })
  const rcv = await listen(receiver.app)
  await db.init()
  await configure(outbox, setup(rcv.url))
  for (const { url, secret } of await signingSecrets(outbox)) receiver.trust(url, secret)

  return {
    kind,
    appUrl: app.url,
    receiverUrl: rcv.url,
    outbox,
    clock,
    jobs,
    receiver,
    db,
    async settle() {
      await jobs.idle()
      await outbox.drain()
    },
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${app.url}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      return { status: res.status, body: parsed as any, headers: res.headers }
    },
    async close() {
      await jobs.idle()
      await stop(app.server)
      await stop(rcv.server)
      await outbox.close()
      await cleanup()
    },
  }
}
