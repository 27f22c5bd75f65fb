/**
 * Probe for issue 16's fan-out target on SQLite: N events to a `majority` collection of
 * `--endpoints` endpoints, committed with the dispatcher stopped, then drained in this process to
 * the bench receiver (its own process). Counts what the dispatcher asked of the store: claims,
 * rows claimed, deferrals (write-backs with no attempt) and the time with nothing in flight.
 * `--root DIR` takes the engine and helpers from another checkout, for interleaved A/B runs.
 * Usage: tsx --conditions=hookbox-source scripts/fanout-probe.ts [--n 3000] [--endpoints 3] [--root ../wt-base]
 */
import Database from 'better-sqlite3'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const { values: a } = parseArgs({
  options: {
    root: { type: 'string', default: '.' },
    n: { type: 'string', default: '3000' },
    endpoints: { type: 'string', default: '3' },
    label: { type: 'string', default: '' },
    mode: { type: 'string', default: 'majority' },
  },
})
const root = resolve(a.root)
const hb = (await import(join(root, 'bench/hookbox.ts'))) as typeof import('../bench/hookbox.js')
const rc = (await import(join(root, 'bench/receiver.ts'))) as typeof import('../bench/receiver.js')
const core = (await import(join(root, 'packages/core/src/index.ts'))) as typeof import('../packages/core/src/index.js')
const { sqliteStore } = (await import(
  join(root, 'packages/store-sqlite/src/index.ts')
)) as typeof import('../packages/store-sqlite/src/index.js')

const n = Number(a.n)
const receiver = await rc.startReceiver()
const t = hb.newTarget('sqlite')
const db = new Database(t.file!)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
const store = sqliteStore({ database: db })
const counts = { claims: 0, claimed: 0, emptyClaims: 0, expandLeased: 0, deferrals: 0, completions: 0 }
/** Deliveries leased and not yet written back: zero means the dispatcher holds no work. */
let held = 0
const { claim, complete, expand } = store.queue
store.queue.claim = async (r) => {
  const out = await claim.call(store.queue, r)
  counts.claims++
  counts.claimed += out.leased.length
  if (out.leased.length === 0) counts.emptyClaims++
  held += out.leased.length
  return out
}
store.queue.expand = async (r) => {
  const out = await expand.call(store.queue, r)
  counts.expandLeased += out.claims.length
  held += out.claims.length
  return out
}
store.queue.complete = async (r) => {
  for (const c of r.completions) if (c.attemptLog.length === 0 && c.state === 'pending') counts.deferrals++
  counts.completions += r.completions.length
  const out = await complete.call(store.queue, r)
  held -= r.completions.length
  return out
}
const outbox = core.createOutbox({ store, http: { allowHttp: true }, security: { ssrf: { allow: ['127.0.0.1'] } } })
outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
try {
  await outbox.migrate()
  await outbox.collections.upsert({
    name: 'events',
    events: ['entity.*'],
    policy: core.policies.fixed(),
    failureMode: a.mode as 'majority',
  })
  for (let k = 0; k < Number(a.endpoints); k++) await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/e${k}` })
  const many = db.transaction((i: number, count: number) =>
    outbox.notifyMany(
      Array.from({ length: count }, (_, k) => ({ type: 'entity.state_changed', payload: { i: i + k } })),
      { transaction: db },
    ),
  )
  for (let i = 0; i < n; i += 100) many(i, Math.min(100, n - i))
  await receiver.reset()
  let delivered = 0
  let lastAt = 0
  let idleSince = 0
  let idleMs = 0
  const done = new Promise<void>((ok) =>
    outbox.on('delivered', () => {
      lastAt = performance.now()
      if (++delivered === n) ok()
    }),
  )
  // Time with no delivery held (sampled every millisecond): the loop asleep with work due.
  const sampler = setInterval(() => {
    if (held === 0 && idleSince === 0) idleSince = performance.now()
    if (held > 0 && idleSince > 0) {
      idleMs += performance.now() - idleSince
      idleSince = 0
    }
  }, 1)
  const t0 = performance.now()
  outbox.start()
  await done
  clearInterval(sampler)
  const seconds = (lastAt - t0) / 1000
  const { count } = await receiver.stats()
  console.log(
    JSON.stringify({
      label: a.label || a.root,
      perSecond: Math.round(n / seconds),
      requestsPerSecond: Math.round(count / seconds),
      seconds: Number(seconds.toFixed(2)),
      idleSeconds: Number((idleMs / 1000).toFixed(2)),
      ...counts,
    }),
  )
} finally {
  await outbox.close()
  db.close()
  await hb.dropTarget(t)
  await receiver.close()
}
