// Probe for issue 16 (Postgres client CPU): client and server CPU µs per message of expanding a backlog in
// full batches (the locking transaction), with a tree's own store-postgres and core; run old and new in turn:
//   for r in 1 2 3; do for t in ../wt-base .; do npx tsx --conditions=hookbox-source scripts/pg-expand-tx-probe.ts $t; done; done
// A second argument writes the measured pass's .cpuprofile there.
import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'

const root = resolve(process.argv[2] ?? '.')
const N = 4000
const app = `pgjs_probe_${process.pid}`
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const load = async (p: string) => import(pathToFileURL(join(root, p)).href)
const core = await load('packages/core/src/index.ts')
const { postgresStore } = await load('packages/store-postgres/src/index.ts')
const schema = `pgjs_probe_${process.pid}`
const pool = new pg.Pool({ connectionString: url, max: 4, application_name: app })
const store = postgresStore({ pool, schema, wake: 'poll' })
const outbox = core.createOutbox({ store })
const side = new pg.Client({ connectionString: url })
await side.connect()
/** ns on a CPU of this probe's backends, by pid. */
const serverNs = async () => {
  const { rows } = await side.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app])
  return new Map(rows.map(({ pid }) => [pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])]))
}
try {
  await outbox.migrate()
  await outbox.collections.upsert({ name: 'main', events: ['a.*'] })
  await outbox.endpoints.create({ collection: 'main', url: 'https://example.com/hook' })
  const planner = core.createPlanner()
  for (let warm = 0; warm < 2; warm++) {
    await outbox.notifyMany(Array.from({ length: N }, (_, i) => ({ type: 'a.b', payload: { i, entityId: `e_${i}` } })))
    const session = warm === 1 && process.argv[3] ? new Session() : undefined
    session?.connect()
    await session?.post('Profiler.enable')
    await session?.post('Profiler.start')
    const s0 = await serverNs()
    const c0 = process.cpuUsage()
    let expanded = 0
    for (;;) {
      const r = await store.queue.expand({ limit: 100, now: Date.now(), planner })
      if (r.expanded === 0) break
      expanded += r.expanded
    }
    const c = process.cpuUsage(c0)
    const s1 = await serverNs()
    if (session) writeFileSync(process.argv[3]!, JSON.stringify((await session.post('Profiler.stop')).profile))
    let server = 0
    for (const [pid, ns] of s1) server += ns - (s0.get(pid) ?? 0)
    if (warm === 1)
      console.log(
        `${root}: client ${((c.user + c.system) / expanded).toFixed(1)} µs/message, server ${(server / 1000 / expanded).toFixed(1)} µs/message (${expanded})`,
      )
  }
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await side.end()
  await pool.end()
}
