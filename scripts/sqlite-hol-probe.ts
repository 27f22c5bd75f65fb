/**
 * SQLite head-of-line claim cost (issue 16, the head-of-line row): on the bench's two sides
 * (bench/head-of-line.ts: a stuck endpoint's `--big` due deliveries ahead of F's 2,000, against
 * F's alone), the bench's claims (10, skipping the stuck endpoint, clock +2 ms each, rounds
 * interleaved), with every better-sqlite3 statement timed and counted by what it is (the
 * window, the walk, the hinted range, the count, the lease), per claim and per round.
 *   tsx --conditions=hookbox-source scripts/sqlite-hol-probe.ts [--big=1000000] [--rounds=5] [--claims=300]
 */
import type Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { headOfLineSide, STUCK, type Side } from '../bench/head-of-line.js'
import { dropTarget } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d)
const big = arg('big', 1_000_000)
const rounds = arg('rounds', 5)
const claims = arg('claims', 300)

/** What a statement is, from its text. */
function kindOf(text: string): string {
  const pick = text.startsWith('select "d"."rowid"') || text.startsWith('select "d".') ? 'pick ' : ''
  const count = text.includes('count(*)') ? 'count ' : ''
  const what = text.includes('WITH RECURSIVE blocks')
    ? 'around'
    : text.includes('>= (')
      ? 'after'
      : text.includes('hookbox_deliveries_due')
        ? 'window'
        : text.replace(/\s+/g, ' ').slice(0, 50)
  return `${pick}${count}${what}`.trim()
}

interface Tally {
  calls: number
  /** Wall-clock and CPU (this process's, user + system) milliseconds. */
  ms: number
  cpu: number
  /** read() calls: pages SQLite's cache did not hold. */
  reads: number
}
/** Read calls this thread has made (Linux). */
const readCalls = () => Number(/syscr: (\d+)/.exec(readFileSync('/proc/thread-self/io', 'utf8'))![1])
/** The read calls of one {@link readCalls} itself, left out of the counts. */
const OWN_READS = (() => {
  const before = readCalls()
  return readCalls() - before
})()
let current: Map<string, Tally> | undefined
const sources = new Map<string, { sql: string; args: unknown[] }>()
const patched = new WeakSet<object>()
function instrument(db: Database.Database) {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>
  if (patched.has(proto)) return
  patched.add(proto)
  for (const m of ['run', 'all', 'get']) {
    const orig = proto[m]!
    proto[m] = function (this: Database.Statement, ...args: unknown[]) {
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      const r0 = current ? readCalls() : 0
      try {
        return orig.apply(this, args)
      } finally {
        if (current) {
          const c = process.cpuUsage(c0)
          const k = kindOf(this.source)
          if (!sources.has(k)) sources.set(k, { sql: this.source, args })
          const s = current.get(k) ?? { calls: 0, ms: 0, cpu: 0, reads: 0 }
          s.calls++
          s.ms += performance.now() - t0
          s.cpu += (c.user + c.system) / 1000
          s.reads += readCalls() - r0 - OWN_READS
          current.set(k, s)
        }
      }
    }
  }
}

async function round(s: Side, n: number, clock: { now: number }, tally?: Map<string, Tally>) {
  current = tally
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    clock.now += 2
    const { leased } = await s.queue.claim({ limit: 10, now: clock.now, leaseMs: 1, owner: 'bench', skipEndpoints: [STUCK] })
    if (leased.length !== 10 || leased.some((l) => l.delivery.endpointId !== s.healthy)) throw new Error(`leased ${leased.length}`)
  }
  current = undefined
  return performance.now() - t0
}

const receiver = await startReceiver()
const sides: Side[] = []
try {
  sides.push(await headOfLineSide('sqlite', receiver, 0))
  sides.push(await headOfLineSide('sqlite', receiver, big))
  for (const s of sides) instrument(s.box.sqlite!)
  const clock = { now: Date.now() }
  for (const s of sides) await round(s, 20, clock)
  const tallies = sides.map(() => new Map<string, Tally>())
  const ms: number[][] = sides.map(() => [])
  for (let r = 0; r < rounds; r++) for (const [i, s] of sides.entries()) ms[i]!.push(await round(s, claims, clock, tallies[i]))
  console.log(
    `rounds of ${claims} claims, ms per round: none ${ms[0]!.map((x) => x.toFixed(1)).join(' ')}; ${big} stuck ${ms[1]!.map((x) => x.toFixed(1)).join(' ')}`,
  )
  console.log(`ratios (claims/s stuck ÷ none): ${ms[0]!.map((x, i) => (x / ms[1]![i]!).toFixed(2)).join(' ')}`)
  for (const [i, t] of tallies.entries()) {
    const per = (ms: number) => ((ms * 1000) / (rounds * claims)).toFixed(1)
    const total = (f: (v: Tally) => number) => [...t.values()].reduce((a, v) => a + f(v), 0)
    console.log(
      `\n${i === 0 ? 'none stuck' : `${big} stuck`}: statements ${per(total((v) => v.ms))} µs (CPU ${per(total((v) => v.cpu))} µs) per claim`,
    )
    console.log('   wall µs/claim    CPU µs/claim  calls/round  wall µs/call  CPU µs/call  reads/call')
    for (const [k, v] of [...t].sort((a, b) => b[1].cpu - a[1].cpu))
      console.log(
        `${per(v.ms).padStart(16)}${per(v.cpu).padStart(16)}${(v.calls / rounds).toFixed(1).padStart(13)}${((v.ms * 1000) / v.calls).toFixed(0).padStart(14)}${((v.cpu * 1000) / v.calls).toFixed(0).padStart(13)}${(v.reads / v.calls).toFixed(1).padStart(12)}  ${k}`,
      )
  }
  if (process.argv.includes('--plans'))
    for (const [k, { sql, args }] of sources) {
      if (!/^(pick|count)/.test(k)) continue
      console.log(`\n${k}: ${sql.replace(/\s+/g, ' ')}`)
      for (const r of sides[1]!.box.sqlite!.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>)
        console.log(`  ${r.detail}`)
    }
} finally {
  for (const s of sides) {
    await s.box.close()
    await dropTarget(s.t)
  }
  await receiver.close()
}
