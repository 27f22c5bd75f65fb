// Hookbox quick start: SQLite, no server. Run with `pnpm example` from the repository root.
import Database from 'better-sqlite3'
import { createServer } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { createOutbox, policies } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'

// A receiver standing in for your customer's endpoint. Every webhook is signed (Standard
// Webhooks); the receiver verifies the raw body with the endpoint's whsec_ secret.
let secret = ''
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    try {
      new Webhook(secret).verify(body, req.headers as Record<string, string>) // throws unless signed with `secret`, within 5 min
    } catch (err) {
      console.log(`receiver  rejected: ${(err as Error).message}`)
      return void res.writeHead(401).end()
    }
    console.log(`receiver  ${req.method} ${req.url}  verified webhook-id=${req.headers['webhook-id']}  ${body}`)
    res.writeHead(200).end()
  })
})
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`

// The application's own database, with the outbox in it.
const db = new Database(join(mkdtempSync(join(tmpdir(), 'hookbox-quickstart-')), 'app.db'))
db.exec("CREATE TABLE entity (id TEXT PRIMARY KEY, state TEXT NOT NULL); INSERT INTO entity VALUES ('e1', 'FAIL')")

const outbox = createOutbox({
  store: sqliteStore({ database: db }),
  http: { allowHttp: true }, // the demo receiver is plain http on loopback…
  security: { ssrf: { allow: ['127.0.0.1'] } }, // …which the SSRF guard refuses unless allow-listed
})
outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
outbox.on('delivered', ({ delivery, type }) => console.log(`delivered ${type} → ${delivery.state} after ${delivery.attempts} attempt(s)`))

await outbox.migrate()
await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed(), failureMode: 'majority' })
const endpoint = await outbox.endpoints.create({ collection: 'events', url: hookUrl, appendRequestId: true })
secret = endpoint.secrets!.secret! // whsec_…, shown once: give it to the receiver (endpoints.revealSecret(id) shows it again)
outbox.start()

// The state change and its webhook commit together, or not at all.
const delivered = new Promise((r) => outbox.once('delivered', r))
const { messageId } = db.transaction(() => {
  db.prepare('UPDATE entity SET state = ? WHERE id = ?').run('PASS', 'e1')
  return outbox.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', from: 'FAIL', to: 'PASS' } }, { transaction: db })
})()
console.log(`notified  message ${messageId}`)

await delivered
await outbox.close()
receiver.close()
db.close()
