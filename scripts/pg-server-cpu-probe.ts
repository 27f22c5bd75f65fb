// Postgres server CPU per statement kind during a no-op drain (issue 16): commits N notifies,
// reopens the outbox on `root`'s sources and drains them, charging each query the CPU its
// backend ran while the query was in flight (/proc/<pid>/schedstat: each pooled connection runs
// one query at a time). Prints, by statement (its first words), calls and server µs per delivery,
// then the tables' update counts (how many were HOT) and the deliveries indexes' reads. The server must be local.
//   tsx --conditions=hookbox-source scripts/pg-server-cpu-probe.ts [--root=.] [--n=8000] [--e2e] [--keep] [--plans]
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const root = resolve(arg('root') ?? '.')
const n = Number(arg('n') ?? 8000)
const noop = !process.argv.includes('--e2e')

const h = (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as typeof import('../bench/hookbox.js')
const r = (await import(pathToFileURL(join(root, 'bench/receiver.ts')).href)) as typeof import('../bench/receiver.js')
const pg = createRequire(join(root, 'packages/store-postgres/package.json'))('pg') as typeof import('pg')

const ns = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
/** A statement's kind: its first words, with schema names and numbers cut. */
const kind = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/"hb_bench_[0-9a-f]+"\./g, '')
    .trim()
    .slice(0, 70)

const receiver = noop ? undefined : await r.startReceiver()
const t = h.newTarget('postgres')
try {
  const first = await h.openOutbox(t, { noop })
  await h.route(first, noop ? 'noop://sink' : receiver!.url, { tenants: 0 })
  await h.commitMany(first, n)
  await first.close()
  const box = await h.openOutbox(t, { noop })
  // With PGOPTIONS loading auto_explain (client_min_messages=log), the plans come back as notices.
  if (process.argv.includes('--plans')) box.pool!.on('connect', (client) => client.on('notice', (m) => console.error(`PLAN ${m.message}`)))
  const stats = new Map<string, { calls: number; us: number }>()
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown; processID?: number }
  const original = proto.query
  let on = false
  proto.query = function (this: { processID?: number }, ...args: unknown[]) {
    const pid = this.processID
    if (!on || !pid) return original.apply(this, args)
    const q = args[0]
    const text = typeof q === 'string' ? q : ((q as { text?: string }).text ?? '?')
    const before = ns(pid)
    const charge = () => {
      const s = stats.get(kind(text)) ?? { calls: 0, us: 0 }
      s.calls++
      s.us += (ns(pid) - before) / 1000
      stats.set(kind(text), s)
    }
    // pg.Pool's query passes a callback; a client's own query returns a promise.
    const cb = args.at(-1)
    if (typeof cb === 'function')
      args[args.length - 1] = (...a: unknown[]) => {
        charge()
        return (cb as (...a: unknown[]) => unknown)(...a)
      }
    const result = original.apply(this, args)
    return result instanceof Promise ? result.finally(charge) : result
  }
  let delivered = 0
  const done = new Promise<void>((ok) => box.outbox.on('delivered', () => ++delivered === n && ok()))
  on = true
  box.outbox.start()
  await done
  on = false
  const rows = [...stats].sort((a, b) => b[1].us - a[1].us)
  const total = rows.reduce((s, [, x]) => s + x.us, 0)
  console.log(`server µs/delivery ${(total / n).toFixed(1)} (in-flight queries only)`)
  for (const [k, x] of rows)
    console.log(
      `${(x.us / n).toFixed(1).padStart(7)} µs/dl ${String(x.calls).padStart(6)} calls ${(x.us / x.calls).toFixed(0).padStart(7)} µs/call  ${k}`,
    )
  await box.close() // its backends report their table counts as they exit
  const c = new pg.Client({ connectionString: t.url })
  await c.connect()
  await new Promise((ok) => setTimeout(ok, 1500)) // and a backend flushes them at most once a second
  const tables = await c.query(
    `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = $1 AND (n_tup_upd > 0 OR n_tup_ins > 0) ORDER BY relname`,
    [t.schema],
  )
  console.table(tables.rows)
  const indexes = await c.query(
    `SELECT indexrelname, idx_scan, idx_tup_read, idx_tup_fetch FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname = 'deliveries' ORDER BY indexrelname`,
    [t.schema],
  )
  console.table(indexes.rows)
  await c.end()
} finally {
  // --keep leaves the drained schema for EXPLAIN experiments.
  if (process.argv.includes('--keep')) console.log(`kept schema ${t.schema}`)
  else await h.dropTarget(t)
  await receiver?.close()
}
process.exit(0)
