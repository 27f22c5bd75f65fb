// Probe for issue 13 (spread expansion): µs per message of expansion, 1 tenant against 10,000 tenants
// spread, interleaved rounds, on databases kept between runs (set-up once):
//   tsx --conditions=hookbox-source scripts/expand-probe.ts sqlite <dir> [rounds] [only: one|spread]
// Add --cpu-prof (node option) with `only` to profile one variant.
import { existsSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { openOutbox, type StoreKind, type Target } from '../bench/hookbox.js'
import { createPlanner } from '../packages/core/src/index.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'
import { commitMany, type Box } from '../bench/hookbox.js'
import { routeTenants } from '../bench/tenants.js'

/** Wall and CPU µs per message of expanding `n` fresh messages (as bench/tenants.ts's expansionUs). */
async function expansion(box: Box, n: number, startAt: number): Promise<[number, number]> {
  await commitMany(box, n, 100, startAt)
  const planner = createPlanner({ routing: await loadRoutingSnapshot(box.outbox.store.catalog) })
  if (session) await session.post('Profiler.start')
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let expanded = 0
  for (;;) {
    const r = await box.outbox.store.queue.expand({ limit: 100, now: Date.now(), planner })
    if (r.expanded === 0) break
    expanded += r.expanded
  }
  const c = process.cpuUsage(c0)
  if (session) profiles.push((await session.post('Profiler.stop')).profile)
  return [((performance.now() - t0) * 1000) / expanded, (c.user + c.system) / expanded]
}

// PROFILE=<file>: a CPU profile of the expansion loops only (not the set-up, commits or snapshot loads).
const session = process.env.PROFILE ? new Session() : undefined
session?.connect()
await session?.post('Profiler.enable')
const profiles: object[] = []
const [kind = 'sqlite', dir = '/tmp', roundsArg = '5', only] = process.argv.slice(2) as [StoreKind, string, string, string?]
const N = 3000
const variants = [
  { label: 'one', tenants: 1 },
  { label: 'spread', tenants: 10_000 },
].filter((v) => !only || v.label === only)
const targets = new Map<string, Target>()
for (const v of variants) {
  const t: Target = { kind, file: join(dir, `expand-${v.label}.db`) }
  targets.set(v.label, t)
  if (existsSync(t.file!)) continue
  const box = await openOutbox(t, { tenants: v.tenants })
  await routeTenants(box, 'http://127.0.0.1:9', v.tenants)
  await box.close()
}
const us = new Map<string, number[]>(variants.map((v) => [v.label, []]))
const cpu = new Map<string, number[]>(variants.map((v) => [v.label, []]))
for (let r = 0; r < Number(roundsArg); r++)
  for (const v of variants) {
    const box = await openOutbox(targets.get(v.label)!, { tenants: v.tenants })
    const [wall, c] = await expansion(box, N, (Date.now() % 1_000_000) * 10_000 + r * N)
    us.get(v.label)!.push(wall)
    cpu.get(v.label)!.push(c)
    await box.close()
  }
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!
for (const [label, x] of us) {
  const c = cpu.get(label)!
  console.log(
    `${label}: wall median ${median(x).toFixed(1)} µs/msg (${x.map((u) => u.toFixed(0)).join(' ')}); cpu median ${median(c).toFixed(1)} (${c.map((u) => u.toFixed(0)).join(' ')})`,
  )
}
if (session) writeFileSync(process.env.PROFILE!, JSON.stringify(profiles))
