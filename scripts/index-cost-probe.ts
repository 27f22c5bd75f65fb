// Probe for issue 16: what one SQLite index on the deliveries costs the store's hot path.
// Two databases set up alike (10,000 background tenants), one with `INDEX` dropped; in
// interleaved rounds, N committed notifies are expanded, claimed and completed through the
// store (no dispatcher, no HTTP), timing wall and CPU µs per delivery of those three steps:
//   INDEX=hookbox_deliveries_endpoint_due_block tsx --conditions=hookbox-source scripts/index-cost-probe.ts [rounds] [n]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commitMany, openOutbox, route, type Target } from '../bench/hookbox.js'
import { createPlanner } from '../packages/core/src/index.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'
import { deliverAll } from './store-drain.js'

const [roundsArg = '5', nArg = '3000'] = process.argv.slice(2)
const index = process.env.INDEX ?? 'hookbox_deliveries_endpoint_due_block'
const N = Number(nArg)
const dir = mkdtempSync(join(tmpdir(), 'hookbox-index-cost-'))
const variants = ['with', 'without'] as const
const targets = new Map(variants.map((v) => [v, { kind: 'sqlite', file: join(dir, `${v}.db`) } satisfies Target]))
for (const v of variants) {
  const box = await openOutbox(targets.get(v)!)
  await route(box, 'http://127.0.0.1:9')
  if (v === 'without') box.sqlite!.exec(`DROP INDEX ${index}`)
  await box.close()
}

/** Wall and CPU µs per delivery of expanding, claiming and completing `n` fresh notifies. */
async function pass(t: Target, startAt: number): Promise<[number, number]> {
  const box = await openOutbox(t)
  await commitMany(box, N, 100, startAt)
  const store = box.outbox.store
  const planner = createPlanner({ routing: await loadRoutingSnapshot(store.catalog) })
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  while ((await store.queue.expand({ limit: 100, now: Date.now(), planner })).expanded > 0);
  const done = await deliverAll(store)
  const c = process.cpuUsage(c0)
  const wall = performance.now() - t0
  await box.close()
  return [(wall * 1000) / done, (c.user + c.system) / done]
}

const results = new Map(variants.map((v) => [v, { wall: [] as number[], cpu: [] as number[] }]))
for (let r = 0; r < Number(roundsArg); r++)
  for (const v of variants) {
    const [wall, cpu] = await pass(targets.get(v)!, (r + 1) * 1_000_000)
    results.get(v)!.wall.push(wall)
    results.get(v)!.cpu.push(cpu)
  }
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!
for (const v of variants) {
  const { wall, cpu } = results.get(v)!
  console.log(
    `${v} ${index}: wall ${median(wall).toFixed(1)} µs/delivery (${wall.map((x) => x.toFixed(1)).join(' ')}), cpu ${median(cpu).toFixed(1)} (${cpu.map((x) => x.toFixed(1)).join(' ')})`,
  )
}
rmSync(dir, { recursive: true, force: true })
