/**
 * The head-of-line figure (bench/head-of-line.ts) on two checkouts, interleaved in one process:
 * each checkout's own `headOfLineSide` builds its two sides (none stuck, `--big` stuck), then
 * each round runs old's pair and new's pair the way the bench does (the same claims, each pair
 * on its own clock, none then stuck, so a hint lives as long as in the bench). Prints per-round
 * claims/s and claims per CPU second of this process, each checkout's stuck ÷ none ratio and new ÷ old
 * per side; writes nothing.
 *
 * `tsx --conditions=hookbox-source bench/head-of-line-ab.ts [--old=../wt-base] [--new=.] [--kind=sqlite] [--big=1000000] [--rounds=7] [--claims=300]`
 */
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as HarnessHeadOfLine from './head-of-line.js'
import type * as HarnessHookbox from './hookbox.js'
import { startReceiver } from './receiver.js'
import { num, ratio, stat } from './support.js'

type Side = HarnessHeadOfLine.Side
interface Harness {
  hol: Pick<typeof HarnessHeadOfLine, 'headOfLineSide' | 'STUCK'>
  hookbox: Pick<typeof HarnessHookbox, 'dropTarget'>
}

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const roots = { old: resolve(arg('old') ?? '../wt-base'), new: resolve(arg('new') ?? '.') }
const kind = (arg('kind') ?? 'sqlite') as HarnessHookbox.StoreKind
const big = Number(arg('big') ?? 1_000_000)
const rounds = Number(arg('rounds') ?? 7)
const claims = Number(arg('claims') ?? 300)

const load = async (root: string): Promise<Harness> => ({
  hol: (await import(pathToFileURL(join(root, 'bench/head-of-line.ts')).href)) as Harness['hol'],
  hookbox: (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as Harness['hookbox'],
})

/** Claims per second of this process's CPU (user + system): less of the machine's load in it than in wall-clock time. */
const cpuRates: number[] = []

/** Claims/s of `n` claims as the bench makes them (limit 10, skipping the stuck endpoint, clock +2 ms each). */
async function claimRate(h: Harness, s: Side, n: number, clock: { now: number }): Promise<number> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    clock.now += 2
    const { leased } = await s.queue.claim({ limit: 10, now: clock.now, leaseMs: 1, owner: 'bench', skipEndpoints: [h.hol.STUCK] })
    if (leased.length !== 10 || leased.some((l) => l.delivery.endpointId !== s.healthy))
      throw new Error(`leased ${leased.length}, not 10 of F's`)
  }
  const cpu = process.cpuUsage(c0)
  cpuRates.push(n / ((cpu.user + cpu.system) / 1e6))
  return n / ((performance.now() - t0) / 1000)
}

const receiver = await startReceiver()
const checkouts = [
  { name: 'old', h: await load(roots.old), sides: [] as Side[], clock: { now: 0 } },
  { name: 'new', h: await load(roots.new), sides: [] as Side[], clock: { now: 0 } },
]
try {
  for (const c of checkouts) for (const stuck of [0, big]) c.sides.push(await c.h.hol.headOfLineSide(kind, receiver, stuck))
  // Every side seeded: their deliveries are due from now on.
  for (const c of checkouts) c.clock.now = Date.now()
  for (const c of checkouts) for (const s of c.sides) await claimRate(c.h, s, 20, c.clock)
  // rates[round][checkout] = [none, stuck], wall clock and CPU
  const rates: number[][][] = []
  const cpu: number[][][] = []
  cpuRates.length = 0
  for (let r = 0; r < rounds; r++) {
    const row: number[][] = []
    for (const c of checkouts) {
      const pair: number[] = []
      for (const s of c.sides) pair.push(await claimRate(c.h, s, claims, c.clock))
      row.push(pair)
    }
    rates.push(row)
    cpu.push([cpuRates.splice(0, 2), cpuRates.splice(0, 2)])
  }
  for (const [what, table] of [
    ['claims/s', rates],
    ['claims per CPU second', cpu],
  ] as const) {
    console.log(`\n${kind}, ${num(big)} stuck, ${rounds} rounds of ${claims} claims; ${what} none / stuck (stuck ÷ none)`)
    console.log('| round | old | new | new ÷ old, stuck |\n|---|---|---|---|')
    for (const [i, [o, n]] of table.entries())
      console.log(
        `| ${i + 1} | ${num(o![0]!)} / ${num(o![1]!)} (${ratio(o![1]! / o![0]!)}) | ${num(n![0]!)} / ${num(n![1]!)} (${ratio(n![1]! / n![0]!)}) | ${ratio(n![1]! / o![1]!)} |`,
      )
    const med = (f: (row: number[][]) => number) => ratio(stat(table.map(f)).median)
    console.log(
      `median: old stuck ÷ none ${med(([o]) => o![1]! / o![0]!)}, new stuck ÷ none ${med(([, n]) => n![1]! / n![0]!)}, ` +
        `new ÷ old: stuck ${med(([o, n]) => n![1]! / o![1]!)}, none ${med(([o, n]) => n![0]! / o![0]!)}`,
    )
  }
} finally {
  for (const c of checkouts)
    for (const s of c.sides) {
      await s.box.close()
      await c.h.hookbox.dropTarget(s.t)
    }
  await receiver.close()
}
