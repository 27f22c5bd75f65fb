/**
 * Postgres head-of-line claim cost (issue 16, "PG head-of-line"): on the head-of-line bench's
 * two sides (bench/head-of-line.ts: a stuck endpoint's `--big` due deliveries ahead of F's
 * 2,000, against F's alone), claims of 10 skipping the stuck endpoint through `claim_plain` as
 * migration 18 or migration 22 creates it, both re-created in turn on the same data, rounds
 * interleaved. Per claim: shared buffers hit + read (EXPLAIN (ANALYZE, BUFFERS) of the call: the
 * function's statements count in its scan) and the backend's CPU (/proc/<pid>/schedstat), load
 * independent. The server must be local.
 *   tsx --conditions=hookbox-source scripts/pg-hol-probe.ts [--big=100000] [--rounds=3] [--claims=300]
 */
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { headOfLineSide, STUCK, type Side } from '../bench/head-of-line.js'
import { dropTarget } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'
import { headOfLineClaimFunction } from '../packages/store-postgres/src/migrations/head-of-line-claim-function.js'

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d)
const big = arg('big', 100_000)
const rounds = arg('rounds', 3)
const claims = arg('claims', 300)
/** Claims whose buffers are counted, per side, variant and round (their median is taken). */
const EXPLAINED = 21
const VARIANTS = [18, 22] as const
type Variant = (typeof VARIANTS)[number]

interface Probe {
  side: Side
  client: pg.Client
  pid: number
  schema: string
}

const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const spread = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`

async function probe(side: Side): Promise<Probe> {
  const client = new pg.Client({ connectionString: side.t.url })
  await client.connect()
  const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)
  return { side, client, pid, schema: `"${side.t.schema}"` }
}

// A lease of 1 ms and the clock 2 ms on for each claim: the same F deliveries are due each time
// (set once seeded: the seed's deliveries are due from then).
const clock = { now: 0 }
const call = (p: Probe) => {
  clock.now += 2
  return `SELECT * FROM ${p.schema}.claim_plain(${clock.now}, 10, ${clock.now + 1}, 'probe', ARRAY['${STUCK}'])`
}

async function claim(p: Probe): Promise<void> {
  const { rows } = await p.client.query(call(p))
  if (rows.length !== 10 || rows.some((r: { endpoint_id: string }) => r.endpoint_id !== p.side.healthy))
    throw new Error(`a claim skipping the stuck endpoint leased ${rows.length} deliveries, not 10 of F's`)
}

/** Median shared buffers (hit + read) of one claim, planning included. */
async function pages(p: Probe): Promise<number> {
  const per: number[] = []
  for (let i = 0; i < EXPLAINED; i++) {
    const { rows } = await p.client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${call(p)}`)
    const [plan] = rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, number>; Planning?: Record<string, number> }>
    const b = (x: Record<string, number> | undefined) => (x?.['Shared Hit Blocks'] ?? 0) + (x?.['Shared Read Blocks'] ?? 0)
    per.push(b(plan!.Plan) + b(plan!.Planning))
  }
  return median(per)
}

/** Backend CPU µs per claim over {@link claims} claims. */
async function cpu(p: Probe): Promise<number> {
  const before = cpuNs(p.pid)
  for (let i = 0; i < claims; i++) await claim(p)
  return (cpuNs(p.pid) - before) / 1000 / claims
}

const receiver = await startReceiver()
const sides: Side[] = []
try {
  sides.push(await headOfLineSide('postgres', receiver, 0), await headOfLineSide('postgres', receiver, big))
  const [none, stuck] = await Promise.all(sides.map(probe))
  clock.now = Date.now()
  const got = new Map<Variant, Array<{ pages: [number, number]; cpu: [number, number] }>>(VARIANTS.map((v) => [v, []]))
  for (let round = 0; round < rounds; round++) {
    for (const v of round % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      for (const p of [none!, stuck!]) {
        await p.client.query(headOfLineClaimFunction(p.schema, { windowByEndpoint: v === 22 }))
        for (let i = 0; i < 20; i++) await claim(p) // new function: its plans cached again
      }
      const pg0 = await pages(none!)
      const pg1 = await pages(stuck!)
      const c0 = await cpu(none!)
      const c1 = await cpu(stuck!)
      got.get(v)!.push({ pages: [pg0, pg1], cpu: [c0, c1] })
      console.log(
        `round ${round + 1} migration ${v}: pages/claim ${pg0} none, ${pg1} stuck; CPU µs/claim ${c0.toFixed(0)} none, ${c1.toFixed(0)} stuck`,
      )
    }
  }
  console.log(`\n${big.toLocaleString('en')} stuck vs none, ${rounds} rounds (median, spread over rounds)`)
  for (const v of VARIANTS) {
    const r = got.get(v)!
    const ratios = r.map((x) => x.cpu[1] / x.cpu[0])
    console.log(
      `migration ${v}: pages/claim none ${median(r.map((x) => x.pages[0]))}, stuck ${median(r.map((x) => x.pages[1]))} (${spread(
        r.map((x) => x.pages[1]),
        0,
      )}); ` +
        `CPU µs/claim none ${median(r.map((x) => x.cpu[0])).toFixed(0)}, stuck ${median(r.map((x) => x.cpu[1])).toFixed(0)}; ` +
        `stuck/none ${median(ratios).toFixed(2)} (${spread(ratios)})`,
    )
  }
  for (const p of [none!, stuck!]) await p.client.end()
} finally {
  for (const s of sides) {
    await s.box.close()
    await dropTarget(s.t)
  }
  await receiver.close()
}
process.exit(0)
