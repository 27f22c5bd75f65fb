/**
 * Scale-out on Postgres: 1, 2 and 4 dispatcher processes against one schema draining the same
 * committed notifies (expansion and claims shared through SKIP LOCKED). Duplicates: requests
 * the receiver saw beyond the distinct `webhook-id`s (no process crashes, so must be 0).
 */
import { commitMany, dropTarget, newTarget, openOutbox, route } from './hookbox.js'
import type { Receiver } from './receiver.js'
import { num, quick, ratio, table, verdict, type Figure, type Result } from './support.js'
import { drain } from './workers.js'

export async function scaleOutBench(receiver: Receiver): Promise<Result> {
  const n = quick ? 2_000 : 8_000
  const rows: Array<{ processes: number; perSecond: number; duplicates: number; received: number; rss: number[] }> = []
  for (const processes of [1, 2, 4]) {
    const t = newTarget('postgres')
    try {
      const box = await openOutbox(t)
      await route(box, receiver.url)
      await commitMany(box, n)
      await box.close()
      await receiver.reset()
      const r = await drain(t, n, { processes, poolMax: 6 })
      const s = await receiver.stats()
      rows.push({ processes, perSecond: r.perSecond, duplicates: s.count - s.unique, received: s.count, rss: r.peakRssMb })
    } finally {
      await dropTarget(t)
    }
  }
  const dups = rows.reduce((s, r) => s + r.duplicates, 0)
  const one = rows[0]!.perSecond
  const figures: Figure[] = [
    {
      id: 'postgres.scaleout.duplicates',
      what: 'Postgres scale-out: duplicate deliveries with 1/2/4 processes',
      value: dups,
      unit: '',
      target: '0',
      met: dups === 0,
    },
    ...rows.slice(1).map((r) => ({
      id: `postgres.scaleout.${r.processes}`,
      what: `Postgres scale-out: ${r.processes} processes`,
      value: r.perSecond,
      unit: '/s',
      baseline: { name: '1 process', value: one },
      ratio: r.perSecond / one,
      target: 'none (reported)',
      met: null,
      note: 'one 2-core machine runs Postgres, the receiver and every dispatcher',
    })),
  ]
  const body = [
    `${num(n)} notifies committed (100 per transaction), then 1, 2 or 4 dispatcher processes (concurrency 32 and a pool of 6 each) start together on one schema; ` +
      `time to the ${num(n)}-th \`delivered\`. Duplicates = requests received − distinct webhook-ids; target 0 → ${verdict(dups === 0)}. ` +
      'All processes, Postgres and the receiver share the same 2 cores, so more processes cannot add CPU here: this shows correctness and contention, not capacity.',
    table(
      ['processes', 'deliveries/s', 'vs 1 process', 'requests received', 'duplicates', 'peak RSS per process MB'],
      rows.map((r) => [
        r.processes,
        num(r.perSecond),
        ratio(r.perSecond / one),
        num(r.received),
        r.duplicates,
        r.rss.map((x) => num(x)).join(', '),
      ]),
    ),
  ]
  return { title: 'Scale-out on Postgres', body: body.join('\n\n'), figures, data: rows }
}
