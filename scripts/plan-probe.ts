// Probe for issue 13 (spread expansion, core's share): µs per message of the planner alone
// (fromMemory + plan, batches of 100, a complete snapshot of 10,000 tenants × 3 endpoints),
// events of 1 tenant against events spread over the 10,000, for this checkout and others,
// interleaved rounds in one process (no database: the JS cost the stores' expansion pays):
//   tsx --conditions=hookbox-source scripts/plan-probe.ts [other checkout …]
import { resolve } from 'node:path'
import { collection, endpoint, message } from '../packages/core/src/testing/fixtures.js'
import type { CollectionRecord, EndpointRecord, MessageRecord } from '../packages/core/src/store/records.js'
import type { Planner } from '../packages/core/src/store/planner.js'
import { tenantOf } from '../bench/hookbox.js'

const TENANTS = 10_000
const BATCHES = 300
const roots = ['.', ...process.argv.slice(2)]
const events = collection({ events: ['entity.*'] })
const endpoints = Array.from({ length: TENANTS }, (_, t) =>
  [0, 1, 2].map((k) => endpoint({ id: `ep_t${t}_${k}`, tenant: `t${t}`, url: `http://127.0.0.1:9/t${t}/e${k}` })),
).flat()
// Fresh strings per message, as rows from a driver are.
const messageOf = (i: number, tenants: number): MessageRecord =>
  message({
    id: `msg_${i}`,
    tenant: tenantOf(i, tenants).slice(0),
    type: ['entity', 'state_changed'].join('.'),
    createdAt: 1_700_000_000_000 + i,
  })
const batches = (tenants: number) =>
  Array.from({ length: BATCHES }, (_, b) => Array.from({ length: 100 }, (_, j) => messageOf(b * 100 + j, tenants)))
const engines = await Promise.all(
  roots.map(async (root) => {
    const dir = resolve(root, 'packages/core/src/dispatcher')
    const { createPlanner } = (await import(`${dir}/plan.ts`)) as { createPlanner: (o: object) => Planner }
    const { RoutingSnapshot } = (await import(`${dir}/routing-snapshot.ts`)) as {
      RoutingSnapshot: new (v: number, c: CollectionRecord[], e: EndpointRecord[], d: string[]) => object
    }
    return { root, planner: createPlanner({ routing: new RoutingSnapshot(1, [events], endpoints, []) }) }
  }),
)
const run = (planner: Planner, input: MessageRecord[][]): number => {
  const t0 = performance.now()
  let n = 0
  for (const messages of input) {
    const routing = planner.fromMemory!(messages, 1)!
    n += planner.plan({ now: 1_700_000_000_000 }, { messages, ...routing }).deliveries.length
  }
  if (n !== input.length * 300) throw new Error(`planned ${n}`)
  return ((performance.now() - t0) * 1000) / (input.length * 100)
}
const rounds = Number(process.env.ROUNDS ?? 9)
const results = engines.map(() => ({ one: [] as number[], spread: [] as number[] }))
for (let r = 0; r < rounds; r++)
  for (const [k, { planner }] of engines.entries()) {
    results[k]!.one.push(run(planner, batches(1)))
    results[k]!.spread.push(run(planner, batches(TENANTS)))
  }
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!
for (const [k, { root }] of engines.entries()) {
  const { one, spread } = results[k]!
  console.log(
    `${root}: µs/msg 1 tenant ${median(one).toFixed(2)}, spread ${median(spread).toFixed(2)} (rounds ${spread.map((x) => x.toFixed(1)).join(' ')}); spread − one ${(median(spread) - median(one)).toFixed(2)}`,
  )
}
