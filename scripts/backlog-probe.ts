// Probe for issue 16 (backlog on SQLite): where a drain's time goes with 10,000 against
// 1,000,000 pending. Seeds as bench/backlog.ts does, then runs one dispatcher in this process
// against the bench receiver (another process) until N are delivered, timing every
// better-sqlite3 statement (prepare → result) by its SQL text:
//   tsx --conditions=hookbox-source scripts/backlog-probe.ts [rounds] [n]
// Prints per statement: calls, ms per call, µs per delivery, for each backlog size.
import type Database from 'better-sqlite3'
import { dropTarget, newTarget, openOutbox, route } from '../bench/hookbox.js'
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

/** Wraps the statement methods of better-sqlite3's Statement class (once), recording into what `on()` gives. */
function timeStatements(db: Database.Database, on: () => Map<string, Stat> | null): void {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>
  if ((proto as { __timed?: boolean }).__timed) return
  ;(proto as { __timed?: boolean }).__timed = true
  for (const m of ['all', 'run', 'get']) {
    const original = proto[m] as (...a: unknown[]) => unknown
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      const into = on()
      if (!into) return original.apply(this, a)
      const t0 = performance.now()
      try {
        return original.apply(this, a)
      } finally {
        const key = this.source
          .replace(/\s+/g, ' ')
          .replace(/\?(, \?)+/g, '?…')
          .slice(0, 150)
        const s = into.get(key) ?? { calls: 0, ms: 0, maxMs: 0, slow: 0, slowMs: 0 }
        const ms = performance.now() - t0
        s.calls++
        s.ms += ms
        s.maxMs = Math.max(s.maxMs, ms)
        if (ms > 10) {
          s.slow++
          s.slowMs += ms
        }
        into.set(key, s)
      }
    }
  }
}

const receiver = await startReceiver()
let recording: Map<string, Stat> | null = null
const results: Array<{ size: number; perSecond: number; stats: Map<string, Stat> }> = []
for (let r = 0; r < Number(roundsArg); r++)
  for (const size of sizes) {
    const t = newTarget('sqlite')
    try {
      const seedBox = await openOutbox(t)
      const [ep] = await route(seedBox, receiver.url)
      await seedPending(t, ep!, size, seedBox.sqlite)
      await seedBox.close()
      const box = await openOutbox(t)
      const stats = new Map<string, Stat>()
      timeStatements(box.sqlite!, () => recording)
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
