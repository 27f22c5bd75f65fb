/**
 * Runs the service: SQLite in a temp dir (or Postgres when DATABASE_URL is set), the
 * dispatcher started, endpoints pointing at the local receiver. `pnpm --filter
 * @hookbox/example-express start`; PORT (default 3000), RECEIVER_URL (default
 * http://127.0.0.1:4000), HOOKBOX_KEY (32 bytes, base64), JWT_PRIVATE_KEY (PKCS#8 PEM).
 */
import { generateKeyPair, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqliteStore } from '@hookbox/store-sqlite'
import { postgresStore } from '@hookbox/store-postgres'
import type { Store } from '@hookbox/core'
import { createApp } from './app.js'
import { postgresHost, sqliteHost, type HostDb } from './db.js'
import { BackgroundJobs } from './jobs.js'
import { configure, createKycOutbox, signingSecrets } from './setup.js'

const port = Number(process.env.PORT ?? 3000)
const receiverUrl = process.env.RECEIVER_URL ?? 'http://127.0.0.1:4000'

let store: Store
let db: HostDb
let pool: pg.Pool | undefined
if (process.env.DATABASE_URL) {
  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
  store = postgresStore({ pool, schema: 'hookbox' })
  db = postgresHost(pool, 'kyc')
} else {
  const file = join(mkdtempSync(join(tmpdir(), 'hookbox-express-')), 'app.db')
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  store = sqliteStore({ database: sqlite })
  db = sqliteHost(sqlite)
  console.log(`SQLite database: ${file}`)
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
outbox.on('attempt', (a) => console.log(`attempt ${a.type} → ${a.url}: ${a.statusCode ?? a.error} (${a.outcome})`))
outbox.on('dead', ({ delivery, type }) =>
  console.warn(`DEAD LETTER ${type} ${delivery.id}: tell support (POST /ops/dead-letters/${delivery.id}/replay)`),
)

await db.init()
await configure(outbox, {
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
      publicHeaders: { 'x-incode-tenant': 'demo' },
    },
  ],
})
// Every webhook is signed: hand each endpoint's secret to the demo receiver (a portal would
// show it to the customer). The receiver may not be up yet; it then rejects until restarted.
for (const { url, secret } of await signingSecrets(outbox))
  await fetch(`${receiverUrl}/signing-secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, secret }),
  }).catch(() => console.warn(`receiver not reachable: could not hand it the signing secret of ${url}`))
outbox.start()

const jobs = new BackgroundJobs()
// CUSTOMER_API_KEYS="key-acme=acme,key-globex=globex" mounts the customers' portal at /portal.
const apiKeys = Object.fromEntries(
  (process.env.CUSTOMER_API_KEYS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=', 2)),
)
const app = createApp({
  outbox,
  db,
  security,
  jobs,
  ...(process.env.OPS_TOKEN ? { opsToken: process.env.OPS_TOKEN } : {}),
  ...(Object.keys(apiKeys).length > 0 && { apiKeys }),
})
const server = app.listen(port, '127.0.0.1', () =>
  console.log(`KYC service on http://127.0.0.1:${port} (${db.kind}); webhooks go to ${receiverUrl}`),
)

const shutdown = async () => {
  server.close()
  await jobs.idle()
  await outbox.close()
  await pool?.end()
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
