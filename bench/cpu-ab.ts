/**
 * Dispatcher CPU per delivery, A/B (issue 16): for each round and each checkout, a fresh process
 * loads that checkout's harness (`bench/hookbox.ts`), commits N notifies, reopens the outbox and
 * drains them in that process, recording `process.cpuUsage()` (user + system) and wall time from
 * `start()` to the N-th `delivered`. The receiver runs in this (parent) process, so its CPU is not
 * counted; on Postgres the server's CPU is counted apart (its backends for this drain, from /proc),
 * and on MySQL too (the whole server's, with rows read). CPU per delivery depends far less
 * on the machine's load than deliveries/s. Pinned: no background tenants, defaults otherwise.
 *
 * `tsx --conditions=hookbox-source bench/cpu-ab.ts --old=../wt-base [--new=.] [--rounds=3]
 * [--only=sqlite.noop,postgres.e2e] [--profile=DIR] [--heap=DIR] [--async] [--statements]`: `--profile` writes each drain's
 * .cpuprofile; `--heap` its allocations (V8's sampling heap profiler, collected objects included:
 * bytes allocated per delivery by function, load-independent); `--async` counts the async resources
 * created per delivery by type (promises, timers…). The last two slow the drain: their CPU figures mean nothing.
 * `CPU_AB_OPTS='{"/tmp/link":{"concurrency":256}}'` gives one root's drains these harness options
 * (`openOutbox`'s): a symlink to this checkout as `--new` compares two settings of one engine.
 */
import { createHook } from 'node:async_hooks'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type * as HarnessHookbox from './hookbox.js'
import { rawHeaders } from './delivery.js'
import { startReceiver } from './receiver.js'
import { Agent, payloadFor, request } from './support.js'

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3)
const self = fileURLToPath(import.meta.url)
const here = dirname(self)
const N = { sqlite: 10_000, postgres: 8000, mysql: 4000 } as const
const FIGURES = ['raw', 'sqlite.noop', 'sqlite.e2e', 'postgres.noop', 'postgres.e2e', 'mysql.noop', 'mysql.e2e'] as const

interface Sample {
  cpuUsPerDelivery: number
  /** Of which in the kernel (socket writes and reads, SQLite's file I/O). */
  sysUsPerDelivery: number
  perSecond: number
  /** Postgres and MySQL: queries (statements, BEGIN and COMMIT included) per delivery, one round trip each. */
  queriesPerDelivery?: number
  /**
   * The server's CPU per delivery. Postgres: the drain's own backends (other sessions' load is not
   * counted). MySQL: the whole server (mariadbd's or mysqld's utime + stime): other clients add to it.
   */
  serverUsPerDelivery?: number
  /** MySQL: rows read per delivery (`Handler_read_*`, server-wide). */
  rowsReadPerDelivery?: number
  /** Bytes this process passed to write calls (sockets to the database and the receiver, files), per delivery (/proc/self/io). */
  writtenBytesPerDelivery?: number
  /** Write system calls (write, writev, send…) per delivery. */
  writeCallsPerDelivery?: number
  /** With `--async`: async resources created per delivery, by type (promises, timers, immediates…); its CPU is not comparable. */
  asyncPerDelivery?: Record<string, number>
  /** MySQL with `--statements`: statements per delivery by their first words (which step sends how many). */
  statementsPerDelivery?: Record<string, number>
}

/** This process's I/O counters (/proc/self/io); undefined where there is none. */
function selfIo(): { wchar: number; syscw: number } | undefined {
  try {
    const f = Object.fromEntries(
      readFileSync('/proc/self/io', 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(': ') as [string, string]),
    )
    return { wchar: Number(f.wchar), syscw: Number(f.syscw) }
  } catch {
    return undefined
  }
}

/** Child: one drain on `root`'s engine; prints the sample. */
async function child(root: string, figure: string, url: string, profileTo: string | undefined, heapTo?: string): Promise<void> {
  if (figure === 'raw') return raw(url)
  const h = (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as typeof HarnessHookbox
  const [kind, mode] = figure.split('.') as ['sqlite' | 'postgres' | 'mysql', 'noop' | 'e2e']
  const n = N[kind]
  const noop = mode === 'noop'
  const t = h.newTarget(kind)
  // Names this process's connections, so the server CPU counted is only theirs (pg reads PGAPPNAME).
  if (kind === 'postgres') process.env.PGAPPNAME = `cpu_ab_${process.pid}`
  try {
    const first = await h.openOutbox(t, { noop })
    await h.route(first, noop ? 'noop://sink' : url, { tenants: 0 })
    await h.commitMany(first, n)
    await first.close()
    const options = (JSON.parse(process.env.CPU_AB_OPTS ?? '{}') as Record<string, object>)[root]
    const box = await h.openOutbox(t, { noop, ...options })
    let delivered = 0
    let session: import('node:inspector/promises').Session | undefined
    if (profileTo) {
      const { Session } = await import('node:inspector/promises')
      session = new Session()
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: 200 })
      await session.post('Profiler.start')
    }
    if (heapTo) {
      const { Session } = await import('node:inspector/promises')
      session = new Session()
      session.connect()
      await session.post('HeapProfiler.enable')
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never)
    }
    const done = new Promise<void>((resolve) =>
      box.outbox.on('delivered', () => {
        if (++delivered === n) resolve()
      }),
    )
    const kinds = kind === 'mysql' && process.argv.includes('--statements') ? new Map<string, number>() : undefined
    const queries = kind === 'postgres' ? countQueries(root) : kind === 'mysql' ? countMysqlQueries(root, kinds) : undefined
    const resources = process.argv.includes('--async') ? countAsyncResources() : undefined
    const server =
      kind === 'mysql'
        ? await mysqlServerCounters(box)
        : kind === 'postgres'
          ? await serverCpu(root, t.url!, process.env.PGAPPNAME!)
          : undefined
    const io0 = selfIo()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    box.outbox.start()
    await done
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const io = selfIo()
    const serverUsed = await server?.()
    if (session && heapTo) {
      const { profile } = await session.post('HeapProfiler.getSamplingProfile')
      await session.post('HeapProfiler.stopSampling')
      writeFileSync(heapTo, JSON.stringify(profile))
      session.disconnect()
    } else if (session) {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(profileTo!, JSON.stringify(profile))
      session.disconnect()
    }
    await box.close()
    const sample: Sample = {
      cpuUsPerDelivery: (cpu.user + cpu.system) / n,
      sysUsPerDelivery: cpu.system / n,
      perSecond: n / (wall / 1000),
      ...(io0 && io && { writtenBytesPerDelivery: (io.wchar - io0.wchar) / n, writeCallsPerDelivery: (io.syscw - io0.syscw) / n }),
      ...(queries && { queriesPerDelivery: queries() / n }),
      ...(serverUsed && { serverUsPerDelivery: serverUsed.cpuUs / n }),
      ...(serverUsed?.rowsRead !== undefined && { rowsReadPerDelivery: serverUsed.rowsRead / n }),
      ...(resources && { asyncPerDelivery: Object.fromEntries([...resources()].map(([type, count]) => [type, count / n])) }),
      ...(kinds && { statementsPerDelivery: Object.fromEntries([...kinds].map(([kind, count]) => [kind, count / n])) }),
    }
    console.log(`CPU_AB ${JSON.stringify(sample)}`)
  } finally {
    await h.dropTarget(t)
  }
}

/** Raw undici POSTs, 32 concurrent, the headers the engine sends (bench/delivery.ts's loop): the HTTP client's own CPU per request. */
async function raw(url: string): Promise<void> {
  const agent = new Agent({ keepAliveTimeout: 10_000 })
  const post = async (from: number, to: number) => {
    let next = from
    const worker = async () => {
      for (let i = next++; i < to; i = next++) {
        const res = await request(`${url}/hook`, {
          method: 'POST',
          dispatcher: agent,
          body: JSON.stringify(payloadFor(i)),
          headers: rawHeaders(`raw_${i}`),
        })
        await res.body.text()
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
  }
  const n = 8000
  await post(0, 1000)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await post(1000, 1000 + n)
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  await agent.close()
  const sample: Sample = { cpuUsPerDelivery: (cpu.user + cpu.system) / n, sysUsPerDelivery: cpu.system / n, perSecond: n / (wall / 1000) }
  console.log(`CPU_AB ${JSON.stringify(sample)}`)
}

/** Counts the queries of `root`'s pg (the store's own copy of the module) from now on. */
function countQueries(root: string): () => number {
  const pg = createRequire(join(root, 'packages/store-postgres/package.json'))('pg') as {
    Client: { prototype: { query: (...a: unknown[]) => unknown } }
  }
  const proto = pg.Client.prototype
  const original = proto.query
  let count = 0
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++
    return original.apply(this, args)
  }
  return () => count
}

/** Counts the statements `root`'s mysql2 sends (text and prepared) from now on; into `kinds` by their first four words too. */
function countMysqlQueries(root: string, kinds?: Map<string, number>): () => number {
  const mysql2 = createRequire(join(root, 'package.json'))('mysql2') as {
    Connection: { prototype: Record<'query' | 'execute', (...a: unknown[]) => unknown> }
  }
  const proto = mysql2.Connection.prototype
  let count = 0
  for (const name of ['query', 'execute'] as const) {
    const original = proto[name]
    proto[name] = function (this: unknown, ...args: unknown[]) {
      count++
      if (kinds) {
        const q = args[0] as string | { sql?: string }
        const words = (typeof q === 'string' ? q : (q?.sql ?? ''))
          .replace(/`[^`]*`\./g, '')
          .trim()
          .split(/\s+/)
        const kind = words.slice(0, 4).join(' ')
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
      }
      return original.apply(this, args)
    }
  }
  return () => count
}

/**
 * The MySQL server's CPU (utime + stime of its process, from /proc) and its rows read (the sum
 * of `Handler_read_*`: MariaDB has no `Innodb_rows_read`) from now on. The two status reads add two statements to the count: negligible per delivery.
 */
async function mysqlServerCounters(box: HarnessHookbox.Box): Promise<() => Promise<{ cpuUs: number; rowsRead: number }>> {
  const pid = readdirSync('/proc').find((p) => /^\d+$/.test(p) && /^(mariadbd|mysqld)$/.test(readProc(`/proc/${p}/comm`).trim()))
  const ticks = () => {
    if (!pid) return Number.NaN
    // Fields after the parenthesised name: utime and stime are the 12th and 13th (clock ticks of 10 ms).
    const fields = readProc(`/proc/${pid}/stat`).split(') ')[1]!.split(' ')
    return Number(fields[11]) + Number(fields[12])
  }
  const rowsRead = async () => {
    const [rows] = await box.mysql!.promise().query("SHOW GLOBAL STATUS LIKE 'Handler_read%'")
    return (rows as Array<{ Value: string }>).reduce((sum, r) => sum + Number(r.Value), 0)
  }
  const [t0, r0] = [ticks(), await rowsRead()]
  return async () => ({ cpuUs: (ticks() - t0) * 10_000, rowsRead: (await rowsRead()) - r0 })
}

const readProc = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/**
 * CPU time (µs) from now on of the server backends named `appName` (this drain's pool and its
 * listener), from /proc/<pid>/schedstat (ns run on a CPU): the server's work for the drain,
 * whatever else the machine runs. The server must be local; a backend that exits before the
 * end is not counted (the drain ends with the pool open).
 */
async function serverCpu(root: string, url: string, appName: string): Promise<() => Promise<{ cpuUs: number; rowsRead?: number }>> {
  const pg = createRequire(join(root, 'packages/store-postgres/package.json'))('pg') as typeof import('pg')
  const client = new pg.Client({ connectionString: url, application_name: 'cpu_ab_probe' })
  await client.connect()
  const sample = async () => {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName])
    const ns = new Map<number, number>()
    for (const { pid } of rows) {
      try {
        ns.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]))
      } catch {
        // Exited in between.
      }
    }
    return ns
  }
  const before = await sample()
  return async () => {
    const after = await sample()
    await client.end()
    let total = 0
    for (const [pid, ns] of after) total += ns - (before.get(pid) ?? 0)
    return { cpuUs: total / 1000 }
  }
}

/** Counts async resources by type from now on (a count that does not depend on load). */
function countAsyncResources(): () => Map<string, number> {
  const counts = new Map<string, number>()
  const hook = createHook({ init: (_id, type) => void counts.set(type, (counts.get(type) ?? 0) + 1) }).enable()
  return () => {
    hook.disable()
    return counts
  }
}

function runChild(root: string, figure: string, url: string, profileTo?: string, heapTo?: string): Promise<Sample | Error> {
  const tsx = join(here, '..', 'node_modules', '.bin', 'tsx')
  const args = [
    ...(process.env.CPU_AB_NODE_FLAGS?.split(' ') ?? []),
    '--conditions=hookbox-source',
    self,
    '--child',
    `--root=${root}`,
    `--figure=${figure}`,
    `--url=${url}`,
  ]
  if (profileTo) args.push(`--profile-to=${profileTo}`)
  if (heapTo) args.push(`--heap-to=${heapTo}`)
  if (process.argv.includes('--async')) args.push('--async')
  if (process.argv.includes('--statements')) args.push('--statements')
  return new Promise((done) => {
    const p = spawn(tsx, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', (b: Buffer) => (out += b.toString()))
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('CPU_AB '))
      done(line ? (JSON.parse(line.slice(7)) as Sample) : new Error(`exit ${code}: ${out.trim().split('\n').slice(-3).join(' / ')}`))
    })
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/** `; <label> old <median> new <median>; new/old per round …` for an optional figure, or nothing. */
function perRound(
  a: Sample[],
  b: Sample[],
  key: 'queriesPerDelivery' | 'serverUsPerDelivery' | 'rowsReadPerDelivery' | 'writtenBytesPerDelivery',
  label: string,
): string {
  if (a[0]?.[key] === undefined || b[0]?.[key] === undefined) return ''
  const ratio = a.map((x, i) => b[i]![key]! / x[key]!)
  return (
    `; ${label} old ${median(a.map((x) => x[key]!)).toFixed(2)} new ${median(b.map((x) => x[key]!)).toFixed(2)}, ` +
    `new/old per round ${ratio.map((x) => x.toFixed(2)).join(', ')}`
  )
}

async function main(): Promise<void> {
  const engines = [
    { label: 'old', root: resolve(arg('old') ?? join(here, '..', '..', 'wt-base')) },
    { label: 'new', root: resolve(arg('new') ?? join(here, '..')) },
  ]
  const rounds = Number(arg('rounds') ?? 3)
  const only = arg('only')?.split(',')
  const profileDir = arg('profile')
  const heapDir = arg('heap')
  const chosen = FIGURES.filter((f) => !only || only.includes(f))
  const receiver = await startReceiver()
  const results = new Map(chosen.map((f) => [f, engines.map(() => [] as Sample[])]))
  try {
    for (let r = 0; r < rounds; r++)
      for (const f of chosen)
        for (const [k, e] of engines.entries()) {
          await receiver.reset()
          const name = `${f}.${e.label}.${r + 1}`
          const s = await runChild(
            e.root,
            f,
            receiver.url,
            profileDir && join(profileDir, `${name}.cpuprofile`),
            heapDir && join(heapDir, `${name}.heapprofile`),
          )
          if (s instanceof Error) throw s
          results.get(f)![k]!.push(s)
          console.error(
            `round ${r + 1} ${f} ${e.label}: ${s.cpuUsPerDelivery.toFixed(1)} µs CPU/delivery (${s.sysUsPerDelivery.toFixed(1)} sys), ${s.perSecond.toFixed(0)}/s` +
              (s.queriesPerDelivery === undefined ? '' : `, ${s.queriesPerDelivery.toFixed(3)} queries/delivery`) +
              (s.serverUsPerDelivery === undefined ? '' : `, server ${s.serverUsPerDelivery.toFixed(1)} µs CPU/delivery`) +
              (s.rowsReadPerDelivery === undefined ? '' : `, ${s.rowsReadPerDelivery.toFixed(2)} rows read/delivery`) +
              (s.writtenBytesPerDelivery === undefined
                ? ''
                : `, ${s.writtenBytesPerDelivery.toFixed(0)} bytes written/delivery in ${s.writeCallsPerDelivery!.toFixed(2)} writes`) +
              (s.asyncPerDelivery === undefined
                ? ''
                : `, async resources/delivery: ${Object.entries(s.asyncPerDelivery)
                    .map(([t, c]) => `${t} ${c.toFixed(2)}`)
                    .join(', ')}`) +
              (s.statementsPerDelivery === undefined
                ? ''
                : `, statements/delivery: ${Object.entries(s.statementsPerDelivery)
                    .sort((a, b) => b[1] - a[1])
                    .map(([t, c]) => `${t} ${c.toFixed(4)}`)
                    .join(', ')}`),
          )
        }
  } finally {
    await receiver.close()
  }
  for (const f of chosen) {
    const [a, b] = results.get(f)!
    const cpu = a!.map((x, i) => b![i]!.cpuUsPerDelivery / x.cpuUsPerDelivery)
    const rate = a!.map((x, i) => b![i]!.perSecond / x.perSecond)
    if (a![0]!.serverUsPerDelivery !== undefined) {
      const srv = a!.map((x, i) => b![i]!.serverUsPerDelivery! / x.serverUsPerDelivery!)
      console.log(
        `${f}: server CPU µs/delivery old ${median(a!.map((x) => x.serverUsPerDelivery!)).toFixed(1)} new ${median(b!.map((x) => x.serverUsPerDelivery!)).toFixed(1)}; ` +
          `new/old per round ${srv.map((x) => x.toFixed(2)).join(', ')} (median ${median(srv).toFixed(2)})`,
      )
    }
    console.log(
      `${f}: CPU µs/delivery old ${median(a!.map((x) => x.cpuUsPerDelivery)).toFixed(1)} new ${median(b!.map((x) => x.cpuUsPerDelivery)).toFixed(1)}; ` +
        `new/old per round ${cpu.map((x) => x.toFixed(2)).join(', ')} (median ${median(cpu).toFixed(2)}); ` +
        `deliveries/s new/old per round ${rate.map((x) => x.toFixed(2)).join(', ')} (median ${median(rate).toFixed(2)})` +
        perRound(a!, b!, 'queriesPerDelivery', 'queries/delivery') +
        perRound(a!, b!, 'serverUsPerDelivery', 'server µs CPU/delivery') +
        perRound(a!, b!, 'rowsReadPerDelivery', 'rows read/delivery') +
        perRound(a!, b!, 'writtenBytesPerDelivery', 'bytes written/delivery'),
    )
  }
}

if (process.argv.includes('--child')) {
  await child(arg('root')!, arg('figure')!, arg('url')!, arg('profile-to'), arg('heap-to'))
  process.exit(0)
} else {
  await main()
  process.exit(0)
}
