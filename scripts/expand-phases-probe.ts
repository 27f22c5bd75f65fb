// Probe for issue 13 (spread expansion on SQLite): where a batch's time goes, 1 tenant against
// 10,000 tenants spread, both planning from a complete routing snapshot (as bench/tenants.ts's
// expansionUs). Each batch of 100 is timed by phase: the statements by kind (better-sqlite3's
// run/all/get wrapped), the planner's `fromMemory` (the routing lookup) and `plan`, and the rest
// (building rows, kysely); medians over every batch of interleaved rounds, µs per message.
//   tsx --conditions=hookbox-source scripts/expand-phases-probe.ts [rounds] [index,index…]
// The second argument drops those indexes from both databases first (what they cost).
import { createPlanner } from '../packages/core/src/index.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'
import { commitMany, dropTarget, newTarget, openOutbox } from '../bench/hookbox.js'
import { routeTenants } from '../bench/tenants.js'

const [roundsArg = '10', dropArg = ''] = process.argv.slice(2)
const N = 3000
const PHASES = ['select', 'input', 'plan', 'insert', 'mark', 'commit', 'othersql'] as const
type Times = Partial<Record<(typeof PHASES)[number] | 'total', number>>

const targets = [1, 10_000].map((tenants) => ({ tenants, t: newTarget('sqlite') }))
try {
  for (const { tenants, t } of targets) {
    const box = await openOutbox(t, { tenants })
    await routeTenants(box, 'http://127.0.0.1:1', tenants)
    for (const index of dropArg.split(',').filter(Boolean)) box.sqlite!.exec(`DROP INDEX ${index}`)
    await box.close()
  }
  const boxes = await Promise.all(targets.map(({ tenants, t }) => openOutbox(t, { tenants })))
  const routings = await Promise.all(boxes.map((b) => loadRoutingSnapshot(b.outbox.store.catalog)))

  let current: Times | null = null
  const add = (phase: keyof Times, ms: number) => {
    if (current) current[phase] = (current[phase] ?? 0) + ms
  }
  const kindOf = (sql: string): keyof Times =>
    sql.startsWith('insert')
      ? 'insert'
      : sql.startsWith('COMMIT')
        ? 'commit'
        : sql.startsWith('select *')
          ? 'select'
          : sql.startsWith('update')
            ? 'mark'
            : 'othersql'
  const statement = Object.getPrototypeOf(boxes[0]!.sqlite!.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>
  for (const method of ['run', 'all', 'get']) {
    const original = statement[method]!
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = performance.now()
      try {
        return original.apply(this, args)
      } finally {
        add(kindOf(this.source), performance.now() - t0)
      }
    }
  }

  const batches = boxes.map(() => [] as Times[])
  for (let r = 0; r < Number(roundsArg); r++)
    for (const [v, box] of boxes.entries()) {
      await commitMany(box, N, 100, (r + 10) * 1_000_000)
      const planner = createPlanner({ routing: routings[v] })
      const { fromMemory, plan } = planner
      planner.fromMemory = (messages, version) => {
        const t0 = performance.now()
        try {
          return fromMemory!(messages, version)
        } finally {
          add('input', performance.now() - t0)
        }
      }
      planner.plan = (request, input) => {
        const t0 = performance.now()
        try {
          return plan(request, input)
        } finally {
          add('plan', performance.now() - t0)
        }
      }
      for (;;) {
        const times: Times = {}
        current = times
        const t0 = performance.now()
        const { expanded } = await box.outbox.store.queue.expand({ limit: 100, now: Date.now(), planner })
        times.total = performance.now() - t0
        current = null
        if (expanded === 0) break
        if (r > 0) batches[v]!.push(times) // the first round warms up
      }
    }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  const perMessage = (v: number, f: (t: Times) => number) => median(batches[v]!.map(f)) * 10 // ms per 100 → µs per message
  const rest = (t: Times) => t.total! - PHASES.reduce((s, p) => s + (t[p] ?? 0), 0)
  console.log('phase       1 tenant   spread   (µs per message, median over batches)')
  for (const phase of ['total', ...PHASES, 'rest'] as const) {
    const f = phase === 'rest' ? rest : (t: Times) => t[phase] ?? 0
    console.log(`${phase.padEnd(10)} ${perMessage(0, f).toFixed(2).padStart(9)} ${perMessage(1, f).toFixed(2).padStart(8)}`)
  }
  for (const box of boxes) await box.close()
} finally {
  for (const { t } of targets) await dropTarget(t)
}
