/**
 * `pnpm bench`: every figure of issues 6, 13 and 16 on SQLite, Postgres and MySQL/MariaDB, each
 * against a baseline measured in the same run (the pg-boss 12 outbox at its best settings,
 * found in the run), and writes BENCHMARKS.md plus bench/results/latest.json.
 * `pnpm bench --quick` (small N, one run each) writes BENCHMARKS.quick.md and
 * bench/results/quick.json instead and leaves BENCHMARKS.md alone. Each section is bounded in
 * time (the budgets are ceilings and sum to about 50 min; a quiet 2-core machine needs
 * about 25–30 min for the whole run); one that fails or overruns is reported as such and the
 * others still run. The part of BENCHMARKS.md between the `hand-recorded` markers (the
 * profile before and after an engine change) is carried over into the regenerated file.
 * `pnpm bench --only=<text>` runs only the sections whose title contains the text (e.g.
 * `--only=mysql`), prints them and writes nothing.
 */
import { execSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import mysql from 'mysql2'
import pg from 'pg'
import { backlogBench } from './backlog.js'
import { claimPathBench } from './claim-path.js'
import { databaseUrl, mysqlUrl } from './hookbox.js'
import { headOfLineBench } from './head-of-line.js'
import { latencyBench } from './latency.js'
import { notifyCostBench } from './notify-cost.js'
import { outboxPeerBench } from './outbox-peer.js'
import { profileBench } from './profile.js'
import type { PeerSettings } from './pgboss.js'
import { startReceiver } from './receiver.js'
import { faultMixBench } from './fault-mix.js'
import { scaleOutBench } from './scale-out.js'
import { bounded, machine, num, quick, ratio, table, verdict, type Figure, type Result } from './support.js'
import { tenantsBench } from './tenants.js'
import { throughputBench } from './throughput.js'
import { LIMITS } from './limits.js'

const started = Date.now()

/** The hand-recorded part of the current BENCHMARKS.md, markers included (empty if none). */
function handRecorded(file: string): string {
  if (!existsSync(file)) return ''
  const text = readFileSync(file, 'utf8')
  const from = text.indexOf(HAND_START)
  const to = text.indexOf(HAND_END)
  return from >= 0 && to > from ? `\n${text.slice(from, to + HAND_END.length)}\n` : ''
}
const HAND_START = '<!-- hand-recorded: start (kept by bench/run.ts) -->'
const HAND_END = '<!-- hand-recorded: end -->'
const receiver = await startReceiver()
const results: Result[] = []

async function postgresVersion(): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    return ((await client.query('SHOW server_version')).rows[0] as { server_version: string }).server_version
  } catch {
    return null
  } finally {
    await client.end().catch(() => undefined)
  }
}
async function mysqlVersion(): Promise<string | null> {
  const c = mysql.createConnection({ uri: mysqlUrl(), connectTimeout: 3000 }).promise()
  try {
    const [rows] = await c.query('SELECT VERSION() AS v')
    return (rows as Array<{ v: string }>)[0]!.v
  } catch {
    return null
  } finally {
    await c.end().catch(() => undefined)
  }
}
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .toLowerCase()
const pgVersion = await postgresVersion()
const peerVersion = (createRequire(import.meta.url)('pg-boss/package.json') as { version: string }).version
const myVersion = await mysqlVersion()
let peerNoop: PeerSettings | null = null

const benches: Array<{ title: string; pg?: boolean; my?: boolean; budgetMs: number; run: () => Promise<Result> }> = [
  { title: 'notify cost on SQLite', budgetMs: 45_000, run: () => notifyCostBench('sqlite') },
  { title: 'notify cost on Postgres', pg: true, budgetMs: 45_000, run: () => notifyCostBench('postgres') },
  { title: 'notify cost on MySQL/MariaDB', my: true, budgetMs: 45_000, run: () => notifyCostBench('mysql') },
  { title: 'Throughput on SQLite', budgetMs: 100_000, run: () => throughputBench('sqlite', receiver) },
  { title: 'Throughput on Postgres', pg: true, budgetMs: 240_000, run: () => throughputBench('postgres', receiver) },
  { title: 'Throughput on MySQL/MariaDB', my: true, budgetMs: 120_000, run: () => throughputBench('mysql', receiver) },
  {
    title: 'Postgres vs the pg-boss outbox at its best',
    pg: true,
    budgetMs: 900_000,
    run: async () => {
      const r = await outboxPeerBench(receiver)
      peerNoop = (r.data as { peerNoopBest: PeerSettings }).peerNoopBest
      return r
    },
  },
  { title: 'Postgres claim path and the pg-boss peer', pg: true, budgetMs: 90_000, run: () => claimPathBench(receiver, peerNoop) },
  { title: 'Profile on Postgres', pg: true, budgetMs: 90_000, run: () => profileBench(receiver) },
  { title: 'Latency on SQLite', budgetMs: 45_000, run: () => latencyBench('sqlite', receiver) },
  { title: 'Latency on Postgres', pg: true, budgetMs: 60_000, run: () => latencyBench('postgres', receiver) },
  { title: 'Latency on MySQL/MariaDB', my: true, budgetMs: 45_000, run: () => latencyBench('mysql', receiver) },
  { title: 'Backlog on SQLite', budgetMs: 100_000, run: () => backlogBench('sqlite', receiver) },
  { title: 'Backlog on Postgres', pg: true, budgetMs: 150_000, run: () => backlogBench('postgres', receiver) },
  { title: 'Backlog on MySQL/MariaDB', my: true, budgetMs: 200_000, run: () => backlogBench('mysql', receiver) },
  { title: 'Head of line on SQLite', budgetMs: 60_000, run: () => headOfLineBench('sqlite', receiver) },
  { title: 'Head of line on Postgres', pg: true, budgetMs: 90_000, run: () => headOfLineBench('postgres', receiver) },
  { title: 'Head of line on MySQL/MariaDB', my: true, budgetMs: 120_000, run: () => headOfLineBench('mysql', receiver) },
  { title: 'Scale-out on Postgres', pg: true, budgetMs: 100_000, run: () => scaleOutBench(receiver) },
  { title: 'Fault mix on Postgres', pg: true, budgetMs: 90_000, run: () => faultMixBench() },
  { title: 'Tenants on SQLite', budgetMs: 150_000, run: () => tenantsBench('sqlite', receiver) },
  { title: 'Tenants on Postgres', pg: true, budgetMs: 300_000, run: () => tenantsBench('postgres', receiver) },
  { title: 'Tenants on MySQL/MariaDB', my: true, budgetMs: 300_000, run: () => tenantsBench('mysql', receiver) },
]

for (const b of benches) {
  if (only && !b.title.toLowerCase().includes(only)) continue
  const t = Date.now()
  console.log(`▶ ${b.title}`)
  if (b.pg && !pgVersion) {
    results.push({
      title: b.title,
      body: `Skipped: no PostgreSQL reachable at ${databaseUrl()} (set DATABASE_URL).`,
      figures: [],
      data: null,
    })
    continue
  }
  if (b.my && !myVersion) {
    results.push({
      title: b.title,
      body: `Skipped: no MySQL or MariaDB reachable at ${mysqlUrl()} (set MYSQL_URL).`,
      figures: [],
      data: null,
    })
    continue
  }
  try {
    const r = await bounded(b.title, b.budgetMs * (quick ? 0.5 : 1), b.run())
    results.push({ ...r, body: `${r.body}\n\n_Took ${((Date.now() - t) / 1000).toFixed(1)} s._` })
  } catch (error) {
    // Its figures are missing: say so in the summary instead of leaving them out silently.
    const missing: Figure = {
      id: `missing.${b.title}`,
      what: `${b.title}: not measured`,
      value: Number.NaN,
      unit: '',
      target: 'see section',
      met: false,
      note: (error as Error).message,
    }
    results.push({
      title: b.title,
      body: `**Did not complete:** ${(error as Error).message}`,
      figures: [missing],
      data: { error: (error as Error).message },
    })
  }
  console.log(`${results.at(-1)!.body}\n`)
}
await receiver.close()

const figures: Figure[] = results.flatMap((r) => r.figures)
/** Decimals for a figure's unit; the value and its baseline share them (a 0.21× baseline is not "0"). */
const digits = (f: Figure) => (f.unit === '×' ? 2 : f.unit === 'ms' || f.unit.startsWith('µs') ? 1 : 0)
const value = (f: Figure) => `${num(f.value, digits(f))} ${f.unit}`.trim()
const summary = table(
  ['figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'verdict', 'limited by / note'],
  figures.map((f) => [
    f.what,
    value(f),
    f.baseline ? `${f.baseline.name}: ${num(f.baseline.value, digits(f))}` : '—',
    f.ratio === undefined ? '—' : ratio(f.ratio),
    f.target,
    verdict(f.met),
    f.note ?? LIMITS[f.id] ?? '',
  ]),
)
if (only) {
  console.log(`## Summary (--only=${only}: nothing written)\n\n${summary}`)
  process.exit(0)
}
const seconds = (Date.now() - started) / 1000
let commit = 'unknown'
try {
  commit =
    execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim() +
    (execSync('git status --porcelain', { encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '')
} catch {}
const command = quick ? 'pnpm bench --quick' : 'pnpm bench'
const doc = [
  quick ? '# Hookbox benchmarks (quick smoke run)' : '# Hookbox benchmarks',
  `Generated by \`bench/run.ts\` (\`${command}\`); do not edit by hand. Every ratio compares against a baseline measured in the same run on the machine below.` +
    (quick ? ' **Quick mode: small N and one run each; the numbers are a smoke test, not a measurement.**' : ''),
  table(
    ['', ''],
    [
      ...machine(),
      [
        'PostgreSQL',
        pgVersion ? `${pgVersion} at ${databaseUrl().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}, same machine` : 'not reachable',
      ],
      [
        'MySQL/MariaDB',
        myVersion ? `${myVersion} at ${mysqlUrl().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}, same machine` : 'not reachable',
      ],
      ['pg-boss (peer)', `${peerVersion} (declares Node ≥ 22; loads and runs on this Node 20)`],
      ['Command', `\`${command}\` (\`tsx --conditions=hookbox-source bench/run.ts${quick ? ' --quick' : ''}\`)`],
      ['Commit', commit],
      ['Date', new Date(started).toISOString()],
      ['Total run time', `${seconds.toFixed(0)} s`],
    ],
  ),
  '## Summary',
  `${figures.filter((f) => f.met === true).length} targets met, ${figures.filter((f) => f.met === false).length} not met; "info" rows have no target. Details and method in each section below; raw numbers in \`bench/results/${quick ? 'quick' : 'latest'}.json\`.`,
  summary,
  ...results.map((r) => `## ${r.title}\n\n${r.body}`),
].join('\n\n')
const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url))
writeFileSync(root(quick ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md'), `${doc}\n${quick ? '' : handRecorded(root('BENCHMARKS.md'))}`)
mkdirSync(root('bench/results'), { recursive: true })
writeFileSync(
  root(`bench/results/${quick ? 'quick' : 'latest'}.json`),
  `${JSON.stringify({ date: new Date(started).toISOString(), commit, quick, seconds, machine: Object.fromEntries(machine()), postgres: pgVersion, mysql: myVersion, figures, sections: results.map((r) => ({ title: r.title, data: r.data })) }, null, 2)}\n`,
)
console.log(
  `wrote ${quick ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md'} and bench/results/${quick ? 'quick' : 'latest'}.json in ${seconds.toFixed(0)} s`,
)
process.exit(0)
