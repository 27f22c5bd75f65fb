/**
 * The backlog figure (bench/backlog.ts) on two checkouts, interleaved in one process: each
 * checkout's own harness (`hookbox.ts`, `seed.ts`, `workers.ts`) seeds its 1,000,000 once, then
 * each round runs old (a fresh 10,000, then its 1,000,000) and new the same way, every target
 * settled first as backlog.ts does. Prints per-round deliveries/s and ratios; writes nothing.
 *
 * `tsx --conditions=hookbox-source bench/backlog-ab.ts [--old=../wt-base] [--new=.] [--rounds=3] [--kind=postgres]`
 */
import { join, resolve } from 'node:path'
import pg from 'pg'
import { pathToFileURL } from 'node:url'
import { settle } from './backlog.js'
import type * as HarnessHookbox from './hookbox.js'
import type * as HarnessSeed from './seed.js'
import type * as HarnessWorkers from './workers.js'
import { startReceiver } from './receiver.js'
import { num, ratio, stat } from './support.js'

interface Harness {
  hookbox: Pick<typeof HarnessHookbox, 'newTarget' | 'dropTarget' | 'openOutbox' | 'route'>
  seed: Pick<typeof HarnessSeed, 'seedPending'>
  workers: Pick<typeof HarnessWorkers, 'drain'>
}

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const roots = { old: resolve(arg('old') ?? '../wt-base'), new: resolve(arg('new') ?? '.') }
const rounds = Number(arg('rounds') ?? 3)
const kind = (arg('kind') ?? 'postgres') as HarnessHookbox.StoreKind
const n = 8_000
const receiver = await startReceiver()

async function load(root: string): Promise<Harness> {
  const at = (p: string) => import(pathToFileURL(join(root, 'bench', p)).href)
  return { hookbox: await at('hookbox.ts'), seed: await at('seed.ts'), workers: await at('workers.ts') }
}

async function seeded(h: Harness, pending: number): Promise<HarnessHookbox.Target> {
  const t = h.hookbox.newTarget(kind)
  const box = await h.hookbox.openOutbox(t)
  try {
    const [ep] = await h.hookbox.route(box, receiver.url)
    await h.seed.seedPending(t, ep!, pending, box.sqlite)
    return t
  } finally {
    await box.close()
  }
}

/** Postgres: rows of `deliveries` read so far (scans and index fetches); a count the machine's load does not move. */
async function deliveriesRead(t: HarnessHookbox.Target): Promise<number> {
  if (t.kind !== 'postgres') return 0
  const client = new pg.Client({ connectionString: t.url })
  await client.connect()
  try {
    const { rows } = await client.query(
      `SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'deliveries'`,
      [t.schema],
    )
    return Number(rows[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}

/** Deliveries/s of one drain; 0 for one that did not deliver `n` within the drain's timeout (reported). */
async function perSecond(h: Harness, t: HarnessHookbox.Target): Promise<number> {
  try {
    return (await h.workers.drain(t, n)).perSecond
  } catch (error) {
    console.log(`  a drain failed: ${String(error)}`)
    return 0
  }
}

const sides = [
  { label: 'old', h: await load(roots.old), ratios: [] as number[], big: [] as number[] },
  { label: 'new', h: await load(roots.new), ratios: [] as number[], big: [] as number[] },
]
const bigTargets: HarnessHookbox.Target[] = []
for (const s of sides) bigTargets.push(await seeded(s.h, 1_000_000))
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [i, side] of sides.entries()) {
      const small = await seeded(side.h, 10_000)
      let a: number
      try {
        await settle(small)
        a = await perSecond(side.h, small)
      } finally {
        await side.h.hookbox.dropTarget(small)
      }
      await settle(bigTargets[i]!)
      const before = await deliveriesRead(bigTargets[i]!)
      const b = await perSecond(side.h, bigTargets[i]!)
      // The drain's connections have closed; their backends report their counts as they exit.
      await new Promise((r) => setTimeout(r, 1000))
      const read = (await deliveriesRead(bigTargets[i]!)) - before
      side.ratios.push(b / a)
      side.big.push(b)
      console.log(
        `round ${round} ${side.label}: 10,000 ${num(a)}/s, 1,000,000 ${num(b)}/s, ratio ${ratio(b / a)}` +
          (kind === 'postgres' ? `; the 1,000,000 drain read ${num(read)} rows of deliveries` : ''),
      )
    }
  }
} finally {
  await Promise.all(sides.map((s, i) => s.h.hookbox.dropTarget(bigTargets[i]!)))
  await receiver.close()
}
for (const s of sides) console.log(`${s.label}: median ratio ${ratio(stat(s.ratios).median)} (${s.ratios.map((x) => ratio(x)).join(', ')})`)
const perRound = sides[1]!.big.map((b, i) => b / sides[0]!.big[i]!)
console.log(`1,000,000 pending, new/old deliveries/s: median ${ratio(stat(perRound).median)} (${perRound.map((x) => ratio(x)).join(', ')})`)
