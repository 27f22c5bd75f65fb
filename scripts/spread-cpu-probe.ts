// Probe for issue 13 (spread vs one tenant, load-independent): dispatcher CPU µs per delivery of a
// warm drain (N messages × 3 endpoints after a first N in the same process, as bench/tenants.ts's
// e2e figure) and expansion CPU µs per message, for 1 tenant, 10,000 tenants spread and 10,000
// tenants' store with one tenant's events; each drain in a fresh child, interleaved rounds,
// receiver in this process (not counted). Also per delivery: system CPU, GC (count, ms), bytes
// written and write/read syscalls (/proc/self/io). `--old=DIR` runs that checkout's harness too
// (A/B); `--profile=DIR` writes each timed drain's .cpuprofile (see profile-diff.ts);
// `--strace=DIR` runs each child under `strace -f -c`; CACHE_KB=n sets the SQLite page cache.
//   tsx --conditions=hookbox-source scripts/spread-cpu-probe.ts [sqlite|postgres|mysql] [rounds] [n] [--old=DIR] [--profile=DIR]
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type * as H from '../bench/hookbox.js'
import type * as T from '../bench/tenants.js'
import { startProfile } from '../bench/profile-child.js'

const self = fileURLToPath(import.meta.url)
const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const pos = process.argv.slice(2).filter((a) => !a.startsWith('--'))

async function child(root: string, t: H.Target, tenants: number, n: number, url: string, profileTo?: string): Promise<void> {
  const h = (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as typeof H
  const tb = (await import(pathToFileURL(join(root, 'bench/tenants.ts')).href)) as typeof T
  const { loadRoutingSnapshot } = await import(pathToFileURL(join(root, 'packages/core/src/dispatcher/routing-snapshot.ts')).href)
  const base = Number(process.env.BASE ?? 1_000_000)
  // Expansion: CPU per message (routing loaded once, as bench/tenants.ts).
  const ebox = await h.openOutbox(t, { tenants })
  const routing = await loadRoutingSnapshot(ebox.outbox.store.catalog)
  await tb.expansionUs(ebox, n, base, routing)
  await h.commitMany(ebox, n, 100, base + 100_000)
  const { createPlanner } = await import(pathToFileURL(join(root, 'packages/core/src/index.ts')).href)
  const planner = createPlanner({ routing })
  let c0 = process.cpuUsage()
  for (;;) {
    const r = await ebox.outbox.store.queue.expand({ limit: 100, now: Date.now(), planner })
    if (r.expanded === 0) break
  }
  const c1 = process.cpuUsage(c0)
  const expandUs = (c1.user + c1.system) / n
  // Deliver what the expansion produced too (from a fresh, separate process the drain below counts only its own).
  await ebox.close()
  const box = await h.openOutbox(t, { tenants })
  // CACHE_KB: the dispatcher connection's SQLite page cache (default 2,000 KiB), to see what page-cache misses cost.
  if (process.env.CACHE_KB && box.sqlite) box.sqlite.pragma(`cache_size = -${process.env.CACHE_KB}`)
  let delivered = 0
  let target = 0
  let hit: () => void = () => undefined
  box.outbox.on('delivered', () => {
    if (++delivered === target) hit()
  })
  const until = (k: number) => new Promise<void>((r) => ((target = k), (hit = r)))
  // Cold: what the expansion stage left (2n messages × 3) plus n more.
  await h.commitMany(box, n, 100, base + 200_000)
  let w = until(9 * n)
  box.outbox.start()
  await w
  await box.outbox.stop()
  delivered = 0
  await h.commitMany(box, n, 100, base + 300_000)
  const stopProfile = profileTo ? await startProfile() : undefined
  w = until(3 * n)
  // GC of the timed drain by kind (scavenges, mark-compacts): how much the spread allocates into old space.
  const { PerformanceObserver, constants } = await import('node:perf_hooks')
  const gc = { minor: 0, major: 0, ms: 0 }
  const obs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      const kind = (e as unknown as { detail: { kind: number } }).detail.kind
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++
      else gc.minor++
      gc.ms += e.duration
    }
  })
  obs.observe({ entryTypes: ['gc'] })
  const io = async () =>
    Object.fromEntries(
      (await import('node:fs'))
        .readFileSync('/proc/self/io', 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.split(':')[0]!, Number(l.split(':')[1])]),
    )
  const io0 = await io()
  c0 = process.cpuUsage()
  box.outbox.start()
  await w
  const io1 = await io()
  const c2 = process.cpuUsage(c0)
  obs.disconnect()
  if (stopProfile) writeFileSync(profileTo!, JSON.stringify((await stopProfile()).cpu))
  await box.close()
  console.log(
    `SPREAD ${JSON.stringify({ expandUs, e2eUs: (c2.user + c2.system) / (3 * n), sysUs: c2.system / (3 * n), gcUs: (gc.ms * 1000) / (3 * n), major: gc.major, minor: gc.minor, wchar: (io1.wchar - io0.wchar) / (3 * n), syscw: (io1.syscw - io0.syscw) / (3 * n), syscr: (io1.syscr - io0.syscr) / (3 * n) })}`,
  )
}

async function main(): Promise<void> {
  const kind = (pos[0] ?? 'sqlite') as H.StoreKind
  const rounds = Number(pos[1] ?? 3)
  const n = Number(pos[2] ?? 2000)
  const roots = [...(arg('old') ? [['old', resolve(arg('old')!)]] : []), ['new', resolve(self, '../..')]] as [string, string][]
  const profileDir = arg('profile')
  const { startReceiver } = await import('../bench/receiver.js')
  const receiver = await startReceiver()
  const h = await import('../bench/hookbox.js')
  const { routeTenants } = await import('../bench/tenants.js')
  const targets: { name: string; root: string; tenants: number; events: number; t: H.Target }[] = []
  try {
    for (const [name, root] of roots) {
      const th = (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as typeof H
      const tt = (await import(pathToFileURL(join(root, 'bench/tenants.ts')).href)) as typeof T
      for (const tenants of [1, 10_000]) {
        const t = th.newTarget(kind)
        const box = await th.openOutbox(t, { tenants })
        await tt.routeTenants(box, receiver.url, tenants)
        await box.close()
        targets.push({ name, root, tenants, events: tenants, t })
        if (tenants > 1) targets.push({ name, root, tenants, events: 1, t })
      }
    }
    void routeTenants
    const rows = new Map<string, { expandUs: number; e2eUs: number; sysUs: number }[]>()
    for (let r = 0; r < rounds; r++)
      for (const v of targets) {
        const key = `${v.name} ${v.tenants === 1 ? '1 tenant' : v.events === 1 ? '10k, one' : '10k spread'}`
        const prof = profileDir ? join(profileDir, `${key.replace(/[ ,]+/g, '-')}-${r}.cpuprofile`) : ''
        await receiver.reset()
        const out = await new Promise<string>((res, rej) => {
          const argv = [...process.execArgv, self, '--child', v.root, JSON.stringify(v.t), String(v.events), String(n), receiver.url, prof]
          // --strace=DIR: the child under `strace -f -c` (syscall counts of the whole child, set-up included).
          const straceTo = arg('strace') && join(arg('strace')!, `${key.replace(/[ ,]+/g, '-')}-${r}.txt`)
          const [cmd, args] = straceTo ? ['strace', ['-f', '-c', '-o', straceTo, process.execPath, ...argv]] : [process.execPath, argv]
          const c = spawn(cmd, args, {
            stdio: ['ignore', 'pipe', 'inherit'],
            env: { ...process.env, BASE: String((r + 1) * 10_000_000) },
          })
          let s = ''
          c.stdout.on('data', (d) => (s += d))
          c.on('exit', (code) => (code === 0 ? res(s) : rej(new Error(`child ${code}`))))
        })
        const sample = JSON.parse(
          out
            .split('\n')
            .find((l) => l.startsWith('SPREAD '))!
            .slice(7),
        )
        rows.set(key, [...(rows.get(key) ?? []), sample])
        console.log(
          `round ${r} ${key.padEnd(16)} expand ${sample.expandUs.toFixed(1)} µs/msg  e2e ${sample.e2eUs.toFixed(1)} µs/delivery (sys ${sample.sysUs.toFixed(1)}, gc ${sample.gcUs.toFixed(1)}: ${sample.major} major ${sample.minor} minor; per delivery ${sample.wchar.toFixed(0)} B written, ${sample.syscw.toFixed(2)} writes ${sample.syscr.toFixed(2)} reads)`,
        )
      }
    const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!
    for (const [key, s] of rows)
      console.log(
        `median ${key.padEnd(16)} expand ${med(s.map((x) => x.expandUs)).toFixed(1)}  e2e ${med(s.map((x) => x.e2eUs)).toFixed(1)}`,
      )
  } finally {
    await receiver.close?.()
    for (const v of targets) if (v.events === v.tenants) await h.dropTarget(v.t)
  }
}

if (process.argv[2] === '--child') {
  const [root, t, tenants, n, url, prof] = process.argv.slice(3) as [string, string, string, string, string, string]
  await child(root, JSON.parse(t), Number(tenants), Number(n), url, prof || undefined)
  process.exit(0)
} else await main()
