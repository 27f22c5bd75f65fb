// Time per SQLite statement in a drain (in this process): every better-sqlite3 run/all/get,
// BEGIN and COMMIT included, by statement text, in µs per delivery.
//   tsx --conditions=hookbox-source scripts/sqlite-statements.ts [http|noop] [n]
import Database from 'better-sqlite3'
import { commitMany, dropTarget, newTarget, openOutbox, route } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'

const [mode = 'noop', nArg = '10000'] = process.argv.slice(2)
const n = Number(nArg)
const noop = mode === 'noop'
const receiver = await startReceiver()
const t = newTarget('sqlite')
const claims: Array<[number, number]> = []
const stats = new Map<string, { calls: number; ms: number }>()
try {
  const seed = await openOutbox(t, { noop })
  await route(seed, noop ? 'noop://sink' : receiver.url)
  await commitMany(seed, n)
  await seed.close()
  const box = await openOutbox(t, { noop })
  if (process.env.CKPT) box.sqlite!.pragma(`wal_autocheckpoint = ${process.env.CKPT}`)
  const proto = Object.getPrototypeOf(box.sqlite!.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>
  for (const m of ['run', 'all', 'get']) {
    const orig = proto[m]!
    proto[m] = function (this: Database.Statement, ...args: unknown[]) {
      const t0 = performance.now()
      let out: unknown
      try {
        return (out = orig.apply(this, args))
      } finally {
        if (this.source.startsWith('select "d".*')) claims.push([performance.now() - t0, (out as unknown[]).length])
        const key = this.source
          .replace(/\s+/g, ' ')
          .replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)')
          .replace(/\?(, \?)+/g, '?…')
          .slice(0, 110)
        const s = stats.get(key) ?? { calls: 0, ms: 0 }
        s.calls++
        s.ms += performance.now() - t0
        stats.set(key, s)
      }
    }
  }
  let delivered = 0
  const done = new Promise<void>((r) => box.outbox.on('delivered', () => ++delivered === n && r()))
  const t0 = performance.now()
  box.outbox.start()
  await done
  const s = (performance.now() - t0) / 1000
  await box.close()
  const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms)
  const total = rows.reduce((a, [, v]) => a + v.ms, 0)
  console.log(
    `${mode}: ${n} in ${s.toFixed(2)} s = ${Math.round(n / s)}/s (in process); SQLite ${((total * 1000) / n).toFixed(1)} µs per delivery`,
  )
  for (const [k, v] of rows.slice(0, 20))
    console.log(
      `${((v.ms * 1000) / n).toFixed(1).padStart(6)} µs/d ${String(v.calls).padStart(6)} calls ${((v.ms * 1000) / v.calls).toFixed(0).padStart(6)} µs/call  ${k}`,
    )
  const byRows = new Map<number, number[]>()
  for (const [ms, r] of claims) byRows.set(r, [...(byRows.get(r) ?? []), ms])
  for (const [r, v] of [...byRows].sort((a, b) => a[0] - b[0]))
    console.log(
      `claim select, ${r} rows: ${v.length} calls, median ${(v.sort((a, b) => a - b)[v.length >> 1]! * 1000).toFixed(0)} µs, max ${(Math.max(...v) * 1000).toFixed(0)}`,
    )
} finally {
  await dropTarget(t)
  await receiver.close()
}
