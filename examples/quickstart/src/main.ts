import { createServer } from 'node:http'
import Database from 'better-sqlite3'
import { Webhook } from 'standardwebhooks'
import { createOutbox, policies } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'

let secret = '' // the receiver stands in for your customer's endpoint: it accepts only signed webhooks
const receiver = createServer((req, res) => {
  let body = ''
  req
    .on('data', (chunk) => (body += chunk))
    .on('end', () => {
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>) // Standard Webhooks signature
        console.log(`verified ${req.headers['webhook-id']} ${body}`)
        res.writeHead(200).end()
      } catch {
        res.writeHead(401).end()
      }
    })
})
await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready))

const db = new Database('app.db') // your application's database; the outbox lives in it
db.exec("CREATE TABLE IF NOT EXISTS entity (id TEXT PRIMARY KEY, state TEXT); INSERT OR IGNORE INTO entity VALUES ('e1', 'FAIL')")
const outbox = createOutbox({ store: sqliteStore({ database: db }), development: true }) // development: http + localhost
await outbox.migrate() // creates or upgrades its tables; safe to repeat
await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed() })
const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`
const endpoint = await outbox.endpoints.upsert({ name: 'demo', collection: 'events', url }) // run again: same endpoint
secret = (await outbox.endpoints.revealSecret(endpoint.id)).secret // whsec_…: give it to the receiver
outbox.start()

const delivered = new Promise((done) => outbox.once('delivered', done))
db.transaction(() => {
  db.prepare('UPDATE entity SET state = ? WHERE id = ?').run('PASS', 'e1') // the change and its webhook commit together
  outbox.notify({ type: 'entity.state_changed', payload: { entityId: 'e1', to: 'PASS' } }, { transaction: db })
})()
await delivered
await outbox.close()
receiver.close()
