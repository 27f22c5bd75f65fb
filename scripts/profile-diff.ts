// Self time by function of two sets of .cpuprofile files (e.g. spread-cpu-probe.ts --profile=DIR), each
// averaged over its files, in µs per delivery, sorted by the difference (B - A):
//   tsx --conditions=hookbox-source scripts/profile-diff.ts A1.cpuprofile,A2.cpuprofile B1.cpuprofile,B2.cpuprofile <deliveries per profile>
import { readFileSync } from 'node:fs'
import { selfTimes } from '../bench/profile.js'
const [a, b, n] = process.argv.slice(2)
const load = (files: string) => {
  const m = new Map<string, number>()
  let tot = 0
  const fs = files.split(',')
  for (const f of fs) {
    const { frames, totalMs } = selfTimes(JSON.parse(readFileSync(f, 'utf8')))
    tot += totalMs
    for (const x of frames) m.set(x.frame, (m.get(x.frame) ?? 0) + x.selfMs / fs.length)
  }
  return { m, tot: tot / fs.length }
}
const A = load(a!),
  B = load(b!)
const per = 1000 / Number(n)
const keys = new Set([...A.m.keys(), ...B.m.keys()])
const rows = [...keys].map((k) => ({ k, a: (A.m.get(k) ?? 0) * per, b: (B.m.get(k) ?? 0) * per })).map((r) => ({ ...r, d: r.b - r.a }))
rows.sort((x, y) => y.d - x.d)
console.log('total', (A.tot * per).toFixed(1), (B.tot * per).toFixed(1))
for (const r of rows.slice(0, 40)) console.log(r.d.toFixed(2).padStart(7), r.a.toFixed(2).padStart(7), r.b.toFixed(2).padStart(7), r.k)
console.log('...')
for (const r of rows.slice(-8)) console.log(r.d.toFixed(2).padStart(7), r.a.toFixed(2).padStart(7), r.b.toFixed(2).padStart(7), r.k)
