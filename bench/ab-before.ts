/**
 * `pnpm bench:ab`: the same workload on two engines, interleaved, to answer "are the numbers
 * within noise of before?" (issue 12, acceptance 7). `--old` and `--new` are two checkouts of the
 * workspace (default: `../wt-old` and this one); for each round, for each figure, the old engine
 * runs and then the new one, each in a fresh process that drives that checkout's own bench harness
 * (`bench/hookbox.ts`, `workers.ts`, `delivery.ts`, `notify-cost.ts`, `receiver.ts`) through only
 * the functions both versions have. The workload is pinned here, not taken from either harness:
 * no background tenants, the same routing (`events`, `fixed` policy, endpoints at the receiver),
 * unsigned endpoints (`auth: { type: 'none' }` on an engine that signs by default, no auth on one
 * that does not) except the `*-signed` figures (HMAC on both), the same N, concurrency 32, batch 100.
 * `raw` (undici POSTs, identical code in both checkouts) is the noise control: its new/old ratio
 * should be 1.00× and its spread shows the machine's noise. Prints a Markdown table; writes nothing.
 *
 * `tsx --conditions=hookbox-source bench/ab-before.ts [--old=DIR] [--new=DIR] [--rounds=3] [--only=TEXT,TEXT]`;
 * `--engines=old=DIR,main=DIR,fix=DIR` runs three (or more) the same way, ratios against the first.
 */
import { spawn } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type * as HarnessHookbox from './hookbox.js'
import type * as HarnessWorkers from './workers.js'
import type * as HarnessDelivery from './delivery.js'
import type * as HarnessNotify from './notify-cost.js'
import type * as HarnessReceiver from './receiver.js'

type Kind = 'sqlite' | 'postgres'
type Auth = 'unsigned' | 'signed'

/** One figure: what a child process measures, in one unit, higher or lower is better. */
interface FigureSpec {
  id: string
  what: string
  unit: string
  better: 'higher' | 'lower'
  run: (h: Harness, root: string) => Promise<number>
}

/** The functions of a checkout's bench harness that both versions export. */
interface Harness {
  hookbox: Pick<typeof HarnessHookbox, 'newTarget' | 'dropTarget' | 'openOutbox' | 'commitMany'>
  workers: Pick<typeof HarnessWorkers, 'drain'>
  delivery: Pick<typeof HarnessDelivery, 'runRaw'>
  notify: Pick<typeof HarnessNotify, 'notifyCostBench'>
  receiver: HarnessReceiver.Receiver
  policies: { fixed(): unknown }
}

const N: Record<Kind, number> = { sqlite: 10_000, postgres: 8000 }
const name = (k: Kind) => (k === 'sqlite' ? 'SQLite' : 'Postgres')

/** One drain of `n` committed notifies on a fresh target, as bench/throughput.ts does; deliveries/s. */
async function drainOnce(h: Harness, kind: Kind, n: number, o: { endpoints?: number; majority?: boolean; noop?: boolean; auth: Auth }) {
  const t = h.hookbox.newTarget(kind)
  try {
    const open = { concurrency: 32, batchSize: 100, noop: o.noop }
    const box = await h.hookbox.openOutbox(t, open)
    const outbox = box.outbox
    await outbox.migrate()
    await outbox.collections.upsert({
      name: 'events',
      events: ['entity.*'],
      policy: h.policies.fixed() as never,
      failureMode: o.majority ? 'majority' : 'each',
    })
    for (let k = 0; k < (o.endpoints ?? 1); k++) {
      const endpoint = { collection: 'events', url: o.noop ? 'noop://sink' : `${h.receiver.url}/e${k}` }
      if (o.auth === 'signed') await outbox.endpoints.create({ ...endpoint, auth: { type: 'hmac' } } as never)
      // The new engine signs unless told `none`; the old one has no `none` (it did not sign unless asked) and refuses it.
      else
        await outbox.endpoints.create({ ...endpoint, auth: { type: 'none' } } as never).catch((error: unknown) => {
          if (!String(error).includes('auth.type')) throw error
          return outbox.endpoints.create(endpoint)
        })
    }
    await h.hookbox.commitMany(box, n)
    await box.close()
    await h.receiver.reset()
    const r = await h.workers.drain(t, n, open)
    const { count } = await h.receiver.stats()
    const expected = o.noop ? 0 : n
    if (count < expected) throw new Error(`the receiver got ${count} requests, expected ${expected}`)
    return r.perSecond
  } finally {
    await h.hookbox.dropTarget(t)
  }
}

const figures: FigureSpec[] = [
  {
    id: 'raw',
    what: 'raw undici POSTs, 32 concurrent (noise control: same code in both)',
    unit: '/s',
    better: 'higher',
    run: async (h) => {
      await h.delivery.runRaw(h.receiver, 1000, { concurrency: 32, warm: 500 })
      return (await h.delivery.runRaw(h.receiver, 10_000, { concurrency: 32, warm: 200 })).perSecond
    },
  },
  ...(['sqlite', 'postgres'] as const).flatMap((kind): FigureSpec[] => [
    {
      id: `${kind}.notify`,
      what: `${name(kind)}: host tx + outbox.notify() (the harness's notify cost, 5 rounds × 1 s)`,
      unit: 'µs/tx',
      better: 'lower',
      run: async (h) => ((await h.notify.notifyCostBench(kind)).data as { notify: number }).notify,
    },
    {
      id: `${kind}.e2e`,
      what: `${name(kind)}: end-to-end, ${N[kind].toLocaleString('en-US')} notifies → 1 endpoint`,
      unit: 'deliveries/s',
      better: 'higher',
      run: (h) => drainOnce(h, kind, N[kind], { auth: 'unsigned' }),
    },
    {
      id: `${kind}.fanout`,
      what: `${name(kind)}: fan-out, ${Math.round(N[kind] / 3).toLocaleString('en-US')} events → 3 endpoints (majority)`,
      unit: 'deliveries/s',
      better: 'higher',
      run: (h) => drainOnce(h, kind, Math.round(N[kind] / 3), { endpoints: 3, majority: true, auth: 'unsigned' }),
    },
    {
      id: `${kind}.noop`,
      what: `${name(kind)}: no-op transport, ${N[kind].toLocaleString('en-US')} notifies (engine alone)`,
      unit: '/s',
      better: 'higher',
      run: (h) => drainOnce(h, kind, N[kind], { noop: true, auth: 'unsigned' }),
    },
    {
      id: `${kind}.e2e-signed`,
      what: `${name(kind)}: end-to-end as e2e, HMAC-signed endpoint on both (the new default)`,
      unit: 'deliveries/s',
      better: 'higher',
      run: (h) => drainOnce(h, kind, N[kind], { auth: 'signed' }),
    },
  ]),
]

/** Child: loads `root`'s harness and prints one figure's value. */
async function child(root: string, id: string): Promise<void> {
  const load = (p: string) => import(pathToFileURL(join(root, p)).href)
  const core = await load('packages/core/src/index.ts')
  const receiverModule = (await load('bench/receiver.ts')) as typeof HarnessReceiver
  const receiver = await receiverModule.startReceiver()
  try {
    const h: Harness = {
      hookbox: await load('bench/hookbox.ts'),
      workers: await load('bench/workers.ts'),
      delivery: await load('bench/delivery.ts'),
      notify: await load('bench/notify-cost.ts'),
      receiver,
      policies: core.policies,
    }
    const value = await figures.find((f) => f.id === id)!.run(h, root)
    console.log(`AB_RESULT ${JSON.stringify({ value })}`)
  } finally {
    await receiver.close()
  }
}

/** Runs one figure on one checkout in a fresh process; its value, or the error. */
function runChild(root: string, id: string, timeoutMs: number): Promise<number | Error> {
  const tsx = join(here, '..', 'node_modules', '.bin', 'tsx')
  return new Promise((done) => {
    const p = spawn(tsx, ['--conditions=hookbox-source', self, '--child', `--root=${root}`, `--figure=${id}`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    })
    let out = ''
    p.stdout.on('data', (b: Buffer) => (out += b.toString()))
    const timer = setTimeout(() => process.kill(-p.pid!, 'SIGKILL'), timeoutMs)
    p.on('exit', (code) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith('AB_RESULT '))
      if (line) done((JSON.parse(line.slice(10)) as { value: number }).value)
      else done(new Error(`exit ${code}${code === null ? ' (killed after timeout)' : ''}: ${out.trim().split('\n').slice(-3).join(' / ')}`))
    })
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const fmt = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: x < 100 ? 1 : 0 }) : '—')
const show = (xs: number[]) => (xs.length ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : '—')
const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)

const self = fileURLToPath(import.meta.url)
const here = dirname(self)

async function main(): Promise<void> {
  // `--engines=label=DIR,…` compares more than two (the first is the reference); else `--old`/`--new`.
  const engines = arg('engines')
    ?.split(',')
    .map((e) => ({ label: e.split('=')[0]!, root: resolve(e.split('=')[1]!) })) ?? [
    { label: 'old', root: resolve(arg('old') ?? join(here, '..', '..', 'wt-old')) },
    { label: 'new', root: resolve(arg('new') ?? join(here, '..')) },
  ]
  const rounds = Number(arg('rounds') ?? 3)
  const only = arg('only')?.split(',')
  const chosen = figures.filter((f) => !only || only.some((o) => f.id.includes(o)))
  const samples = new Map(chosen.map((f) => [f.id, { values: engines.map(() => [] as number[]), errors: [] as string[] }]))
  const started = Date.now()
  for (let r = 0; r < rounds; r++)
    for (const f of chosen)
      for (const [k, e] of engines.entries()) {
        const t = Date.now()
        const v = await runChild(e.root, f.id, 240_000)
        const s = samples.get(f.id)!
        if (v instanceof Error) s.errors.push(`${e.label} round ${r + 1}: ${v.message}`)
        else s.values[k]!.push(v)
        console.error(
          `round ${r + 1} ${f.id} ${e.label}: ${v instanceof Error ? v.message : fmt(v)} (${((Date.now() - t) / 1000).toFixed(1)} s)`,
        )
      }
  const [ref, ...others] = engines
  const rows = chosen.map((f) => {
    const s = samples.get(f.id)!
    const base = s.values[0]!
    const cells = others.flatMap((_, k) => {
      const xs = s.values[k + 1]!
      // Per-round ratios (round r over the reference's round r) show how much of the ratio is noise.
      const per = xs.slice(0, base.length).map((v, i) => v / base[i]!)
      const range = per.length ? `${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)}` : '—'
      return [show(xs), `${(median(xs) / median(base)).toFixed(2)}×`, range]
    })
    return `| ${[f.what, f.unit, show(base), ...cells, f.better].join(' | ')} |${s.errors.length ? ` ${s.errors.join('; ')}` : ''}`
  })
  const head = [
    'figure',
    'unit',
    `${ref!.label}: median (min–max)`,
    ...others.flatMap((e) => [`${e.label}: median (min–max)`, `${e.label}/${ref!.label} (medians)`, 'per round']),
    'better',
  ]
  console.log(
    [
      `A/B: ${engines.map((e) => `${e.label} = ${e.root}`).join(', ')}; ${rounds} interleaved rounds (per figure: ${engines.map((e) => e.label).join(', ')}), ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
      `| ${head.join(' | ')} |`,
      `| ${head.map((_, i) => (i < 2 || i === head.length - 1 ? '---' : '---:')).join(' | ')} |`,
      ...rows,
    ].join('\n'),
  )
}

if (process.argv.includes('--child')) await child(arg('root')!, arg('figure')!)
else await main()
process.exit(0)
