// Probe for issue 13 (spread end-to-end on SQLite, the claim's share, load-independent): CPU µs
// per claimed delivery of store.queue.claim (batches of 32, as a dispatcher of concurrency 32
// claims) over freshly expanded deliveries, 1 tenant against 10,000 tenants × 3 endpoints with
// events spread, for each checkout given (its bench harness and store), interleaved rounds in
// one process. Each round commits N messages, expands them (routing in memory) and claims every
// delivery, marking each claim's delivered before the next (as write-backs would; not timed).
// No HTTP, no dispatcher: the pick, lease and hydration alone.
//   tsx --conditions=hookbox-source scripts/claim-spread-probe.ts [rounds] [n] [checkout …]   (default: this one)
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type * as H from '../bench/hookbox.js'
import type * as T from '../bench/tenants.js'

const here = resolve(fileURLToPath(import.meta.url), '../..')
const [roundsArg = '7', nArg = '2000', ...others] = process.argv.slice(2)
const rounds = Number(roundsArg)
const n = Number(nArg)
const roots = others.length > 0 ? others.map((r) => resolve(r)) : [here]

interface Side {
  label: string
  box: H.Box
  target: H.Target
  h: typeof H
  planner: () => Promise<unknown>
  samples: number[]
}

const load = async <M>(root: string, path: string): Promise<M> => (await import(pathToFileURL(resolve(root, path)).href)) as M
const sides: Side[] = []
for (const root of roots) {
  const h = await load<typeof H>(root, 'bench/hookbox.ts')
  const tb = await load<typeof T>(root, 'bench/tenants.ts')
  const core = await load<typeof import('../packages/core/src/index.js')>(root, 'packages/core/src/index.ts')
  const rs = await load<typeof import('../packages/core/src/dispatcher/routing-snapshot.js')>(
    root,
    'packages/core/src/dispatcher/routing-snapshot.ts',
  )
  for (const tenants of [1, 10_000]) {
    const target = h.newTarget('sqlite')
    const box = await h.openOutbox(target, { tenants })
    await tb.routeTenants(box, 'http://127.0.0.1:9', tenants)
    const routing = await rs.loadRoutingSnapshot(box.outbox.store.catalog)
    const planner = async () => core.createPlanner({ routing })
    sides.push({ label: `${root} ${tenants === 1 ? '1 tenant' : '10,000 spread'}`, box, target, h, planner, samples: [] })
  }
}

try {
  for (let r = 0; r < rounds; r++)
    for (const side of sides) {
      const { box } = side
      const { queue } = box.outbox.store
      await side.h.commitMany(box, n, 100, 1_000_000 + r * 100_000)
      const planner = (await side.planner()) as Parameters<typeof queue.expand>[0]['planner']
      while ((await queue.expand({ limit: 100, now: Date.now(), planner })).expanded > 0);
      const now = Date.now() + 1000
      // Each claim's deliveries end before the next claim (not timed), as a dispatcher's
      // write-backs end them: left pending and leased, every pick would walk past them all.
      const finish = box.sqlite!.prepare(
        `UPDATE hookbox_deliveries SET state = 'delivered', completed_at = updated_at, lease_owner = NULL, lease_until = NULL,
           lease_token = NULL WHERE state = 'pending' AND lease_owner IS NOT NULL`,
      )
      let claimed = 0
      let us = 0
      for (;;) {
        const c0 = process.cpuUsage()
        const { leased } = await queue.claim({ limit: 32, now, leaseMs: 3_600_000, owner: 'probe', skipEndpoints: [] })
        const c = process.cpuUsage(c0)
        us += c.user + c.system
        if (leased.length === 0) break
        claimed += leased.length
        finish.run()
      }
      if (claimed !== 3 * n) throw new Error(`claimed ${claimed} of ${3 * n}`)
      side.samples.push(us / claimed)
    }
} finally {
  for (const s of sides) {
    await s.box.close()
    await s.h.dropTarget(s.target)
  }
}
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!
for (const s of sides)
  console.log(
    `${s.label.padEnd(48)} CPU µs per claimed delivery ${median(s.samples).toFixed(2)} (rounds ${s.samples.map((x) => x.toFixed(1)).join(' ')})`,
  )
