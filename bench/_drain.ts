import Database from 'better-sqlite3'
import { createServer } from 'node:http'
import { createOutbox, policies } from '../packages/core/src/index.js'
import { sqliteStore } from '../packages/store-sqlite/src/index.js'
const srv = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end()) })
await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
const url = `http://127.0.0.1:${(srv.address() as any).port}/hook`
const db = new Database('/tmp/hb/drain.db'); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL')
const outbox = createOutbox({ store: sqliteStore({ database: db }), http: { allowHttp: true }, security: { ssrf: { allow: ['127.0.0.1'] } }, dispatcher: { concurrency: Number(process.env.C ?? 32) } })
await outbox.migrate()
await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
await outbox.endpoints.create({ collection: 'events', url })
const N = 5000
await outbox.notifyMany(Array.from({ length: N }, (_, i) => ({ type: 'entity.changed', payload: { i, pad: 'x'.repeat(200) } })))
let done = 0
const t0 = performance.now()
const fin = new Promise<void>((r) => outbox.on('delivered', () => { if (++done === N) r() }))
outbox.start()
await fin
const s = (performance.now() - t0) / 1000
console.log(`drained ${N} in ${s.toFixed(2)} s = ${(N / s).toFixed(0)}/s`)
await outbox.close(); srv.close(); db.close()
