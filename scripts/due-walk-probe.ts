// Probe for issue 13 (the endpoint-due index's block size): what `dueAround`'s walk costs, a
// claim skipping the one endpoint a backlog of PENDING deliveries belongs to, for blocks of 2^n
// messages (BITS=10,9,8), the index rebuilt that way and the walk's SQL with the same shift.
// Prints the median (min–max) ms of the walk (dueAround), best of 7 runs each, after a warm-up.
//   tsx --conditions=hookbox-source scripts/due-walk-probe.ts [pending]
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { dueAround } from '../packages/store-sqlite/src/due-around.js'
import { sqliteStore } from '../packages/store-sqlite/src/index.js'
import { collection, endpoint } from '../packages/core/src/testing/conformance.js'

const pending = Number(process.argv[2] ?? 1_000_000)
const bitsList = (process.env.BITS ?? '10,9,8').split(',').map(Number)
const dir = mkdtempSync(join(tmpdir(), 'hookbox-walk-'))
try {
  const dbs = await Promise.all(
    bitsList.map(async (bits) => {
      const db = new Database(join(dir, `${bits}.db`))
      db.pragma('journal_mode = WAL')
      const store = sqliteStore({ database: db })
      await store.housekeeping.migrate()
      await store.catalog.upsertCollection({ collection: collection() })
      await store.catalog.insertEndpoint({ endpoint: endpoint({ id: 'ep_b' }) })
      db.exec('DROP INDEX IF EXISTS hookbox_deliveries_endpoint_due_block')
      db.exec(
        `CREATE INDEX hookbox_deliveries_endpoint_due_block ON hookbox_deliveries ((message_seq >> ${bits}), endpoint_id, next_attempt_at) WHERE state = 'pending'`,
      )
      db.prepare(
        `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
        INSERT INTO hookbox_deliveries (id, message_id, message_seq, collection, failure_mode, endpoint_id, targets, progress, state,
          attempts, next_attempt_at, window_start, created_at, updated_at)
        SELECT printf('%08d', n), 'm' || n, n, (SELECT name FROM hookbox_collections), 'each', 'ep_b', '[]', '{}', 'pending', 0, 0, 0, 0, 0 FROM g`,
      ).run(pending)
      const k = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
      const q = sql`SELECT EXISTS (SELECT 1 FROM (${dueAround(1, ['ep_b']).ids})) AS found`.compile(k)
      const walk = db.prepare(q.sql.replaceAll('>> 10', `>> ${bits}`))
      return { bits, db, run: () => walk.get(...q.parameters) as { found: number } }
    }),
  )
  const times = dbs.map(() => [] as number[])
  for (let r = 0; r < 8; r++)
    for (const [i, { run }] of dbs.entries()) {
      const t0 = performance.now()
      if (run().found !== 0) throw new Error('found one')
      if (r > 0) times[i]!.push(performance.now() - t0)
    }
  for (const [i, { bits }] of dbs.entries()) {
    const s = times[i]!.sort((a, b) => a - b)
    console.log(
      `blocks of 2^${bits}: walk over ${pending} pending ${s[s.length >> 1]!.toFixed(1)} ms (${s[0]!.toFixed(1)}–${s.at(-1)!.toFixed(1)})`,
    )
  }
  for (const { db } of dbs) db.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
