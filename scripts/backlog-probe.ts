// Probe for issue 16 (backlog): where a drain's time goes with 10,000 against 1,000,000
// pending. Seeds as bench/backlog.ts does, then runs one dispatcher in this process against the
// bench receiver (another process) until N are delivered, timing every statement by its SQL
// text (better-sqlite3: the call; mysql2: call → result, round trip included):
//   [STORE=sqlite|mysql] [SIZES=10000,1000000] tsx --conditions=hookbox-source scripts/backlog-probe.ts [rounds] [n]
// Prints per statement: calls, ms per call, µs per delivery, for each backlog size.
import type Database from 'better-sqlite3'
import mysql from 'mysql2'
import { dropTarget, newTarget, openOutbox, route, type StoreKind } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'
import { seedPending } from '../bench/seed.js'

interface Stat {
  calls: number
  ms: number
  /** The slowest call, and the calls over 10 ms with their total. */
  maxMs: number
  slow: number
  slowMs: number
}

const [roundsArg = '1', nArg = '8000'] = process.argv.slice(2)
const N = Number(nArg)
const sizes = (process.env.SIZES ?? '10000,1000000').split(',').map(Number)
const kind = (process.env.STORE ?? 'sqlite') as StoreKind

let recording: Map<string, Stat> | null = null

/** Adds one call of `sql` that started at `t0` to the statistics being recorded. */
function record(sql: string, t0: number): void {
  if (!recording) return
  const key = sql
    .replace(/\s+/g, ' ')
    .replace(/`hb_bench_[0-9a-f]+`\./g, '')
    .replace(/\?(, \?)+/g, '?…')
    .slice(0, 150)
  const s = recording.get(key) ?? { calls: 0, ms: 0, maxMs: 0, slow: 0, slowMs: 0 }
  const ms = performance.now() - t0
  s.calls++
  s.ms += ms
  s.maxMs = Math.max(s.maxMs, ms)
  if (ms > 10) {
    s.slow++
    s.slowMs += ms
  }
  recording.set(key, s)
}

/** Wraps the statement methods of better-sqlite3's Statement class (once). */
function timeSqlite(db: Database.Database): void {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown> & { __timed?: boolean }
  if (proto.__timed) return
  proto.__timed = true
  for (const m of ['all', 'run', 'get']) {
    const original = proto[m] as (...a: unknown[]) => unknown
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      const t0 = performance.now()
      try {
        return original.apply(this, a)
      } finally {
        record(this.source, t0)
      }
    }
  }
}

/** Wraps mysql2's callback `query` (what kysely's MysqlDialect calls), from call to callback. */
function timeMysql(): void {
  const proto = (mysql as unknown as { Connection: { prototype: Record<string, unknown> & { __timed?: boolean } } }).Connection.prototype
  if (proto.__timed) return
  proto.__timed = true
  const original = proto.query as (...a: unknown[]) => unknown
  proto.query = function (this: unknown, ...a: unknown[]) {
    const last = a.length - 1
    const callback = a[last]
    const sql = typeof a[0] === 'string' ? a[0] : ((a[0] as { sql?: string }).sql ?? '?')
    if (typeof callback === 'function') {
      const t0 = performance.now()
      a[last] = (...r: unknown[]) => {
        record(sql, t0)
        return (callback as (...r: unknown[]) => unknown)(...r)
      }
    }
    return original.apply(this, a)
  }
}

const receiver = await startReceiver()
if (kind === 'mysql') timeMysql()
const results: Array<{ size: number; perSecond: number; stats: Map<string, Stat> }> = []
for (let r = 0; r < Number(roundsArg); r++)
  for (const size of sizes) {
    const t = newTarget(kind)
    try {
      const seedBox = await openOutbox(t)
      const [ep] = await route(seedBox, receiver.url)
      await seedPending(t, ep!, size, seedBox.sqlite)
      await seedBox.close()
      const box = await openOutbox(t)
      const stats = new Map<string, Stat>()
      if (box.sqlite) timeSqlite(box.sqlite)
      let delivered = 0
      let lastAt = 0
      const done = new Promise<void>((resolve) =>
        box.outbox.on('delivered', () => {
          lastAt = performance.now()
          if (++delivered === N) resolve()
        }),
      )
      recording = stats
      const t0 = performance.now()
      box.outbox.start()
      await done
      recording = null
      const perSecond = (delivered * 1000) / (lastAt - t0)
      await box.close()
      results.push({ size, perSecond, stats })
      const total = [...stats.values()].reduce((s, x) => s + x.ms, 0)
      console.log(
        `\n## ${size} pending, round ${r + 1}: ${perSecond.toFixed(0)} deliveries/s, SQL ${((total * 1000) / N).toFixed(1)} µs/delivery`,
      )
      for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14))
        console.log(
          `${((s.ms * 1000) / N).toFixed(1).padStart(7)} µs/dlv ${s.calls.toString().padStart(6)} calls ${(s.ms / s.calls).toFixed(3).padStart(8)} ms/call max ${s.maxMs.toFixed(1)} ms, ${s.slow} over 10 ms (${s.slowMs.toFixed(0)} ms)  ${k.slice(0, 80)}`,
        )
    } finally {
      await dropTarget(t)
    }
  }
await receiver.close()
