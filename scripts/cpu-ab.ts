// CPU per delivery, A/B between checkouts: on a loaded machine wall-clock throughput swings by
// ±30% from run to run, while the dispatcher's own CPU time per delivery moves far less. Each
// run is a fresh process on one checkout's sources: N committed notifies on SQLite, then its
// dispatcher starts in that process (receiver in another, or the no-op transport) and the CPU
// time (user + system) from start to the N-th `delivered` is divided by N. Engines alternate,
// the order flipped every round.
//   tsx scripts/cpu-ab.ts --engines=base=/work/wt-base,new=. [--rounds=3] [--n=10000] [--modes=http,noop]
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

async function child(root: string, mode: string, n: number): Promise<void> {
  const url = (p: string) => pathToFileURL(resolve(root, p)).href
  const h = (await import(url('bench/hookbox.ts'))) as typeof import('../bench/hookbox.js')
  const r = (await import(url('bench/receiver.ts'))) as typeof import('../bench/receiver.js')
  const noop = mode === 'noop'
  const receiver = await r.startReceiver()
  const t = h.newTarget('sqlite')
  try {
    const open = { noop, concurrency: 32, batchSize: 100 }
    const seed = await h.openOutbox(t, open)
    await h.route(seed, noop ? 'noop://sink' : receiver.url)
    await h.commitMany(seed, n)
    await seed.close()
    const box = await h.openOutbox(t, open)
    let delivered = 0
    const done = new Promise<void>((ok) => box.outbox.on('delivered', () => ++delivered === n && ok()))
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    box.outbox.start()
    await done
    const cpu = process.cpuUsage(c0)
    const seconds = (performance.now() - t0) / 1000
    await box.close()
    console.log(JSON.stringify({ cpuUs: (cpu.user + cpu.system) / n, perSecond: n / seconds }))
  } finally {
    await h.dropTarget(t)
    await receiver.close()
  }
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function parent(): void {
  const engines = (arg('engines') ?? 'base=/work/wt-base,new=.').split(',').map((e) => e.split('=') as [string, string])
  const rounds = Number(arg('rounds') ?? 3)
  const n = Number(arg('n') ?? 10_000)
  const modes = (arg('modes') ?? 'http,noop').split(',')
  const results = new Map<string, Array<{ cpuUs: number; perSecond: number }>>()
  for (let round = 0; round < rounds; round++)
    for (const mode of modes) {
      const order = round % 2 ? [...engines].reverse() : engines
      for (const [name, root] of order) {
        const out = spawnSync(
          process.execPath,
          ['--import', 'tsx', '--conditions=hookbox-source', fileURLToPath(import.meta.url), '--child', resolve(root), mode, String(n)],
          { cwd: resolve(root), encoding: 'utf8', timeout: 300_000 },
        )
        const line = out.stdout.trim().split('\n').pop() ?? ''
        if (!line.startsWith('{')) throw new Error(`${name} ${mode}: ${out.stderr}`)
        const r = JSON.parse(line) as { cpuUs: number; perSecond: number }
        console.log(`round ${round + 1} ${mode} ${name}: ${r.cpuUs.toFixed(1)} µs CPU/delivery, ${Math.round(r.perSecond)}/s`)
        const key = `${mode} ${name}`
        results.set(key, [...(results.get(key) ?? []), r])
      }
    }
  const [first] = engines[0]!
  console.log('\n| mode | engine | CPU µs/delivery: median (min–max) | deliveries/s: median (min–max) | CPU vs first |')
  console.log('| --- | --- | ---: | ---: | ---: |')
  for (const mode of modes)
    for (const [name] of engines) {
      const v = results.get(`${mode} ${name}`)!
      const cpu = v.map((x) => x.cpuUs)
      const ps = v.map((x) => x.perSecond)
      const base = median(results.get(`${mode} ${first}`)!.map((x) => x.cpuUs))
      console.log(
        `| ${mode} | ${name} | ${median(cpu).toFixed(1)} (${Math.min(...cpu).toFixed(1)}–${Math.max(...cpu).toFixed(1)}) | ` +
          `${Math.round(median(ps))} (${Math.round(Math.min(...ps))}–${Math.round(Math.max(...ps))}) | ${(median(cpu) / base).toFixed(2)}× |`,
      )
    }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]))
else parent()
