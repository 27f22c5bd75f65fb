/**
 * Profile on Postgres (issue 16, "profile first"): N committed notifies drained by one
 * dispatcher process (defaults, receiver in another process), with a CPU profile and the
 * client-side time of every SQL statement recorded from `go` to the N-th delivery (see
 * profile-child.ts). Reported per delivery: the top self-time frames of the dispatcher, and the
 * SQL round trips and time by statement. `pnpm bench --only=profile` runs it alone.
 */
import { commitMany, dropTarget, newTarget, openOutbox, route } from './hookbox.js'
import type { CpuProfile, ProfileData } from './profile-child.js'
import type { Receiver } from './receiver.js'
import { num, quick, table, type Result } from './support.js'
import { drain } from './workers.js'

/** How many frames the table shows. */
const TOP = 15

interface Frame {
  frame: string
  selfMs: number
}

/** Self time per function (name and file:line), largest first. */
export function selfTimes(p: CpuProfile): { frames: Frame[]; totalMs: number } {
  const byNode = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  for (const [k, id] of p.samples.entries()) {
    const ms = (p.timeDeltas[k] ?? 0) / 1000
    total += ms
    const f = byNode.get(id)!.callFrame
    const file = f.url
      ? f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?|packages\/)/, '')
      : ''
    const key = `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`
    self.set(key, (self.get(key) ?? 0) + ms)
  }
  const frames = [...self].map(([frame, selfMs]) => ({ frame, selfMs })).sort((a, b) => b.selfMs - a.selfMs)
  return { frames, totalMs: total }
}

export async function profileBench(receiver: Receiver): Promise<Result> {
  const n = quick ? 2000 : 8000
  const t = newTarget('postgres')
  let data: ProfileData
  let perSecond: number
  try {
    const box = await openOutbox(t)
    await route(box, receiver.url)
    await commitMany(box, n)
    await box.close()
    await receiver.reset()
    const r = await drain(t, n, { profile: true })
    data = r.profiles![0]!
    perSecond = r.perSecond
  } finally {
    await dropTarget(t)
  }
  const { frames, totalMs } = selfTimes(data.cpu)
  const idle = frames.find((f) => f.frame === '(idle)')?.selfMs ?? 0
  const us = (ms: number) => num((ms * 1000) / n, 1)
  const pct = (ms: number) => `${num((100 * ms) / totalMs, 1)}%`
  const sql = [...data.sql].sort((a, b) => b.ms - a.ms)
  const calls = sql.reduce((s, x) => s + x.calls, 0)
  const sqlMs = sql.reduce((s, x) => s + x.ms, 0)
  const body = [
    `${num(n)} notifies committed (100 per host transaction), then one dispatcher process (defaults: concurrency 128 on Postgres, batchSize 100; \`wake: 'coalesced'\`) drains them to the receiver ` +
      `(another process) at ${num(perSecond)} deliveries/s; ${num(10_000)} other tenants' endpoints in the database. Recorded in the dispatcher from \`go\` to the last delivery: ` +
      "a V8 CPU profile (`node:inspector`'s Profiler, 200 µs sampling; the same data as `node --cpu-prof` without start-up) and each pg query's time from call to result on the client " +
      '(round trip plus server work; overlapping queries each count in full). pg_stat_statements is not loaded on the shared server, so the SQL time is measured on the client.',
    `CPU: ${num(totalMs)} ms profiled, ${pct(totalMs - idle)} busy (${us(totalMs - idle)} µs of dispatcher CPU per delivery). Top ${TOP} frames by self time:`,
    table(
      ['frame (function file:line)', 'self ms', 'share', 'µs per delivery'],
      frames.slice(0, TOP).map((f) => [`\`${f.frame}\``, num(f.selfMs), pct(f.selfMs), us(f.selfMs)]),
    ),
    `SQL: ${num(calls)} round trips (${num(calls / n, 2)} per delivery), ${num(sqlMs)} ms of client-side query time (${us(sqlMs)} µs per delivery):`,
    table(
      ['statement', 'calls', 'per delivery', 'total ms', 'µs per delivery', 'ms per call'],
      sql.map((s) => [
        `\`${s.statement.replace(/"hb_bench_[0-9a-f]+"/g, '<schema>').replaceAll('|', '\\|')}\``,
        num(s.calls),
        num(s.calls / n, 3),
        num(s.ms),
        us(s.ms),
        num(s.ms / s.calls, 2),
      ]),
    ),
  ]
  return {
    title: 'Profile on Postgres',
    body: body.join('\n\n'),
    figures: [
      {
        id: 'postgres.profile.round-trips',
        what: 'Postgres profile: SQL round trips per delivery (dispatcher, defaults)',
        value: calls / n,
        unit: '×',
        target: 'none (profile)',
        met: null,
        note: `${us(sqlMs)} µs SQL and ${us(totalMs - idle)} µs CPU per delivery`,
      },
    ],
    data: { n, perSecond, totalMs, idleMs: idle, frames: frames.slice(0, 40), sql },
  }
}
