/**
 * Runs the service: SQLite in a temp dir (Postgres when DATABASE_URL is set, MySQL/MariaDB
 * when MYSQL_URL is), the dispatcher started, each customer's endpoints pointing at its own
 * receiver. `pnpm --filter @hookbox/example-express start`; PORT (default 3000),
 * CUSTOMER_KEYS (`tenant:apiKey,…`, default `acme:acme-demo-key,globex:globex-demo-key`),
 * RECEIVER_URLS (`tenant=url,…`, default acme on :4000 and globex on :4001), HOOKBOX_KEY
 * (32 bytes, base64), JWT_PRIVATE_KEY (PKCS#8 PEM).
 */
import { generateKeyPair, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { createPool } from 'mysql2'
import pg from 'pg'
import { sqliteStore } from '@hookbox/store-sqlite'
import { postgresStore } from '@hookbox/store-postgres'
import { mysqlStore } from '@hookbox/store-mysql'
import type { Store } from '@hookbox/core'
import { createApp } from './app.js'
import { customerDirectory, parseCustomerKeys } from './customers.js'
import { mysqlHost, postgresHost, sqliteHost, type HostDb } from './db.js'
import { BackgroundJobs } from './jobs.js'
import { configure, createKycOutbox, signingSecrets, type ReceiverSetup } from './setup.js'

const port = Number(process.env.PORT ?? 3000)
const customers = customerDirectory(parseCustomerKeys(process.env.CUSTOMER_KEYS ?? 'acme:acme-demo-key,globex:globex-demo-key'))
const receiverUrls = new Map(
  (process.env.RECEIVER_URLS ?? 'acme=http://127.0.0.1:4000,globex=http://127.0.0.1:4001')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const),
)

let store: Store
let db: HostDb
let close: () => Promise<void> = async () => {}
if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
  store = postgresStore({ pool, schema: 'hookbox' })
  db = postgresHost(pool, 'kyc')
  close = () => pool.end()
} else if (process.env.MYSQL_URL) {
  const pool = createPool({ uri: process.env.MYSQL_URL })
  store = mysqlStore({ pool })
  db = mysqlHost(pool)
  close = () => pool.promise().end()
} else {
  const file = join(mkdtempSync(join(tmpdir(), 'hookbox-express-')), 'app.db')
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  store = sqliteStore({ database: sqlite })
  db = sqliteHost(sqlite)
  console.log(`SQLite database: ${file}`)
}

/** One customer's receivers: every platform, on the customer's own receiver. */
function receiversOf(tenant: string, receiverUrl: string): ReceiverSetup {
  return {
    frankieOneV1: {
      FUNCTION: [`${receiverUrl}/frankieone/v1/FUNCTION`],
      EVENT: [`${receiverUrl}/frankieone/v1/EVENT`],
      RESULT: [`${receiverUrl}/frankieone/v1/RESULT`],
    },
    frankieOneV2: [{ url: `${receiverUrl}/frankieone/v2/main` }],
    incode: [
      {
        url: `${receiverUrl}/incode/main`,
        auth: {
          type: 'oauth2',
          tokenUrl: `${receiverUrl}/oauth/token`,
          clientId: process.env.INCODE_CLIENT_ID ?? 'incode-demo',
          clientSecret: process.env.INCODE_CLIENT_SECRET ?? 'incode-demo-secret',
        },
        publicHeaders: { 'x-incode-tenant': tenant },
      },
    ],
  }
}

// FrankieOne signs with RSA-4096; a fresh key per run unless one is given.
const jwtPrivateKey =
  process.env.JWT_PRIVATE_KEY ??
  (
    await promisify(generateKeyPair)('rsa', {
      modulusLength: 4096,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
  ).privateKey
const { outbox, security } = createKycOutbox({
  store,
  jwtPrivateKey,
  encryptionKey: process.env.HOOKBOX_KEY ?? randomBytes(32).toString('base64'),
  allowLocalReceivers: true, // the demo receiver is plain http on loopback
})
outbox.on('error', ({ error, phase }) => console.error('hookbox', phase, error))
outbox.on('attempt', (a) =>
  console.log(`attempt [${a.tenant ?? 'platform'}] ${a.type} → ${a.url}: ${a.statusCode ?? a.error} (${a.outcome})`),
)
outbox.on('dead', ({ delivery, type }) =>
  console.warn(`DEAD LETTER ${type} ${delivery.id}: tell support (POST /ops/dead-letters/${delivery.id}/replay)`),
)

await db.init()
const setups = Object.fromEntries(
  customers.tenants().flatMap((t) => (receiverUrls.has(t) ? [[t, receiversOf(t, receiverUrls.get(t)!)]] : [])),
)
await configure(outbox, setups)
// Every webhook is signed: hand each endpoint's secret to its customer's demo receiver (a
// portal would show it to the customer). A receiver may not be up yet; it then rejects until
// restarted.
for (const [tenant, receiverUrl] of receiverUrls)
  for (const { url, secret } of await signingSecrets(outbox, tenant))
    await fetch(`${receiverUrl}/signing-secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, secret }),
    }).catch(() => console.warn(`receiver not reachable: could not hand it the signing secret of ${url}`))
outbox.start()

const jobs = new BackgroundJobs()
const app = createApp({ outbox, db, customers, security, jobs, ...(process.env.OPS_TOKEN ? { opsToken: process.env.OPS_TOKEN } : {}) })
const server = app.listen(port, '127.0.0.1', () =>
  console.log(
    `KYC service on http://127.0.0.1:${port} (${db.kind}) for ${customers.tenants().join(', ')}; webhooks go to ${[...receiverUrls.values()].join(', ')}`,
  ),
)

const shutdown = async () => {
  server.close()
  await jobs.idle()
  await outbox.close()
  await close()
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
