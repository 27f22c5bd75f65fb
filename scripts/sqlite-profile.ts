// Profile of a SQLite drain (issue 16, "profile first"; bench/profile.ts does Postgres): N committed
// notifies drained by one dispatcher process at defaults, receiver in another process (or the
// no-op transport), CPU profile from `go` to the N-th delivery. Prints the top frames by self time
// and by total time (inclusive, each function counted once per sample), in µs per delivery.
//   tsx --conditions=hookbox-source scripts/sqlite-profile.ts [http|noop] [n] [top] [--save=<file>] [--root=<checkout>]
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { CpuProfile } from '../bench/profile-child.js'

// --root=<checkout>: profile another checkout's engine through its own bench harness (A/B).
const root = resolve(process.argv.find((a) => a.startsWith('--root='))?.slice('--root='.length) ?? '.')
const load = (p: string) => import(pathToFileURL(resolve(root, p)).href)
const { commitMany, dropTarget, newTarget, openOutbox, route } = (await load('bench/hookbox.ts')) as typeof import('../bench/hookbox.js')
const { selfTimes } = (await load('bench/profile.ts')) as typeof import('../bench/profile.js')
const { startReceiver } = (await load('bench/receiver.ts')) as typeof import('../bench/receiver.js')
const { drain } = (await load('bench/workers.ts')) as typeof import('../bench/workers.js')

const [mode = 'http', nArg = '10000', topArg = '30'] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const save = process.argv.find((a) => a.startsWith('--save='))?.slice('--save='.length)
const n = Number(nArg)
const top = Number(topArg)
const noop = mode === 'noop'

/** Total (inclusive) time per function: a sample counts once for every distinct frame on its stack. */
function totalTimes(p: CpuProfile): Array<{ frame: string; ms: number }> {
  const parent = new Map<number, number>()
  const nodes = p.nodes as Array<CpuProfile['nodes'][number] & { children?: number[] }>
  for (const node of nodes) for (const c of node.children ?? []) parent.set(c, node.id)
  const byId = new Map(nodes.map((x) => [x.id, x]))
  const key = (id: number) => {
    const f = byId.get(id)!.callFrame
    const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?|packages\/)/, '')
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`
  }
  const total = new Map<string, number>()
  for (const [k, id] of p.samples.entries()) {
    const ms = (p.timeDeltas[k] ?? 0) / 1000
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(key(at))
    for (const s of seen) total.set(s, (total.get(s) ?? 0) + ms)
  }
  return [...total].map(([frame, ms]) => ({ frame, ms })).sort((a, b) => b.ms - a.ms)
}

const receiver = await startReceiver()
const t = newTarget('sqlite')
try {
  const box = await openOutbox(t, { noop })
  await route(box, noop ? 'noop://sink' : receiver.url)
  await commitMany(box, n)
  await box.close()
  await receiver.reset()
  const r = await drain(t, n, { noop, profile: true })
  const cpu = r.profiles![0]!.cpu
  if (save) writeFileSync(save, JSON.stringify(cpu))
  const { frames, totalMs } = selfTimes(cpu)
  const idle = frames.find((f) => f.frame === '(idle)')?.selfMs ?? 0
  const us = (ms: number) => ((ms * 1000) / n).toFixed(1).padStart(7)
  console.log(`${mode}: ${n} deliveries at ${Math.round(r.perSecond)}/s; ${us(totalMs - idle)} µs busy CPU per delivery`)
  console.log('\nself µs/delivery')
  for (const f of frames.slice(0, top)) console.log(`${us(f.selfMs)}  ${f.frame}`)
  console.log('\ntotal µs/delivery')
  for (const f of totalTimes(cpu).slice(0, top)) console.log(`${us(f.ms)}  ${f.frame}`)
} finally {
  await dropTarget(t)
  await receiver.close()
}
