// Probe for issue 16: what each store operation costs on MySQL/MariaDB, the dispatcher's side and
// the server's. N committed notifies are expanded (batches of 100), claimed (100) and completed
// (64, one attempt each) through the store alone (no dispatcher, no HTTP); per step: this
// process's CPU µs per delivery (all threads: JIT and GC included), the server's (mariadbd's or
// mysqld's utime + stime from /proc: other clients of the server add to it) and the statements
// per delivery and the server's rows read (Handler_read_*, server-wide) by kind. ROOT picks the checkout whose store runs (A/B: run it once per checkout, in turns):
//   ROOT=/work/wt-base tsx --conditions=hookbox-source scripts/mysql-phases-probe.ts [n]
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { LeasedDelivery } from '../packages/core/src/index.js'
import { noopCompletion } from '../bench/noop-completion.js'

const root = process.env.ROOT ?? join(import.meta.dirname, '..')
const n = Number(process.argv[2] ?? 4000)
const { createPlanner } = (await import(
  pathToFileURL(join(root, 'packages/core/src/index.ts')).href
)) as typeof import('../packages/core/src/index.js')
const h = (await import(pathToFileURL(join(root, 'bench/hookbox.ts')).href)) as typeof import('../bench/hookbox.js')

const readProc = (path: string) => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
const pid = readdirSync('/proc').find((p) => /^\d+$/.test(p) && /^(mariadbd|mysqld)$/.test(readProc(`/proc/${p}/comm`).trim()))
/** The server's CPU in clock ticks (10 ms); utime and stime are the 12th and 13th fields after the name. */
const serverTicks = () => {
  const fields = readProc(`/proc/${pid}/stat`).split(') ')[1]?.split(' ') ?? []
  return Number(fields[11]) + Number(fields[12])
}
// Statements sent, as bench/cpu-ab.ts counts them: mysql2's query and execute (the root's own copy).
const proto = (
  createRequire(join(root, 'package.json'))('mysql2') as { Connection: { prototype: Record<string, (...a: unknown[]) => unknown> } }
).Connection.prototype
let statements = 0
for (const name of ['query', 'execute']) {
  const original = proto[name]!
  proto[name] = function (this: unknown, ...args: unknown[]) {
    statements++
    return original.apply(this, args)
  }
}

const t = h.newTarget('mysql')
try {
  const box = await h.openOutbox(t, { noop: true })
  const [endpointId] = await h.route(box, 'noop://sink', { tenants: 0 })
  await h.commitMany(box, n)
  const { queue } = box.outbox.store
  // Rows the server read, by kind (Handler_read_*, server-wide): one statement, not counted.
  const handlerReads = async () => {
    const [rows] = await box.mysql!.promise().query("SHOW GLOBAL STATUS LIKE 'Handler_read%'")
    return new Map((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, Number(r.Value)]))
  }
  const step = async (name: string, run: () => Promise<void>) => {
    const [cpu0, ticks0, statements0, reads0] = [process.cpuUsage(), serverTicks(), statements, await handlerReads()]
    await run()
    const cpu = process.cpuUsage(cpu0)
    const server = ((serverTicks() - ticks0) * 10_000) / n
    const reads1 = await handlerReads()
    const reads = [...reads1].map(([k, v]) => [k, (v - reads0.get(k)!) / n] as const).filter(([, v]) => v > 0.005)
    console.log(
      `${name}: dispatcher ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU/delivery, server ${server.toFixed(1)} µs CPU/delivery, ` +
        `${((statements - statements0 - 1) / n).toFixed(3)} statements/delivery; rows read/delivery: ` +
        reads.map(([k, v]) => `${k.replace('Handler_read_', '')} ${v.toFixed(2)}`).join(', '),
    )
  }
  const planner = createPlanner()
  await step('expand', async () => {
    while ((await queue.expand({ limit: 100, now: Date.now(), planner })).expanded > 0);
  })
  const leased: LeasedDelivery[] = []
  await step('claim', async () => {
    for (;;) {
      const batch = (await queue.claim({ limit: 100, now: Date.now(), leaseMs: 60_000, owner: 'probe' })).leased
      if (batch.length === 0) return
      leased.push(...batch)
    }
  })
  const completion = (c: LeasedDelivery, at: number) => noopCompletion(c, endpointId!, at)
  await step('complete', async () => {
    for (let i = 0; i < leased.length; i += 64)
      await queue.complete({ completions: leased.slice(i, i + 64).map((c, k) => completion(c, Date.now() + k)) })
  })
  await box.close()
} finally {
  await h.dropTarget(t)
}
process.exit(0)
