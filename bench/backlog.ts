/**
 * Backlog: a receiver was down and deliveries piled up. Seeds 10,000 and then 1,000,000 due
 * deliveries straight into the store's tables (see seed.ts), starts one dispatcher process and
 * times the first N deliveries; reports the ratio and the dispatcher's peak RSS.
 */
import { dropTarget, newTarget, openOutbox, route, storeName, type StoreKind } from './hookbox.js'
import type { Receiver } from './receiver.js'
import { num, quick, ratio, table, verdict, type Figure, type Result } from './support.js'
import { seedPending } from './seed.js'
import { drain } from './workers.js'

async function drainWith(kind: StoreKind, receiver: Receiver, pending: number, n: number) {
  const t = newTarget(kind)
  try {
    const box = await openOutbox(t)
    const [ep] = await route(box, receiver.url)
    const t0 = performance.now()
    await seedPending(t, ep!, pending, box.sqlite)
    const seedSeconds = (performance.now() - t0) / 1000
    await box.close()
    const r = await drain(t, n)
    return { pending, ...r, seedSeconds }
  } finally {
    await dropTarget(t)
  }
}

export async function backlogBench(kind: StoreKind, receiver: Receiver): Promise<Result> {
  const small = quick ? 2_000 : 10_000
  const big = quick ? 100_000 : 1_000_000
  const n = quick ? 1_500 : 8_000
  const a = await drainWith(kind, receiver, small, n)
  const b = await drainWith(kind, receiver, big, n)
  const r = b.perSecond / a.perSecond
  const name = storeName(kind)
  const rssRatio = b.peakRssMb[0]! / a.peakRssMb[0]!
  const figures: Figure[] = [
    {
      id: `${kind}.backlog`,
      what: `${name}: throughput with ${num(big)} pending vs ${num(small)}`,
      value: b.perSecond,
      unit: '/s',
      baseline: { name: `${num(small)} pending`, value: a.perSecond },
      ratio: r,
      target: '≥ 0.9×',
      met: r >= 0.9,
      note: `dispatcher peak RSS ${num(a.peakRssMb[0]!)} → ${num(b.peakRssMb[0]!)} MB`,
    },
    {
      id: `${kind}.backlog.rss`,
      what: `${name}: dispatcher peak RSS with ${num(big)} pending vs ${num(small)}`,
      value: b.peakRssMb[0]!,
      unit: 'MB',
      baseline: { name: `${num(small)} pending`, value: a.peakRssMb[0]! },
      ratio: rssRatio,
      target: 'flat (≤ 1.1×)',
      met: rssRatio <= 1.1,
    },
  ]
  const row = (x: typeof a) => [
    num(x.pending),
    num(x.seedSeconds, 1),
    num(x.delivered),
    num(x.seconds, 2),
    num(x.perSecond),
    num(x.peakRssMb[0]!, 0),
  ]
  const body = [
    `Pending deliveries seeded with bulk SQL into the real tables (expanded messages + one due \`each\` delivery each, then ANALYZE), one dispatcher process ` +
      `(concurrency 32) drains the first ${num(n)}; peak RSS is that process's \`maxRSS\` (on SQLite it includes the page cache). Ratio ${ratio(r)}, target ≥ 0.9× → ${verdict(r >= 0.9)}; peak RSS ${ratio(rssRatio)}, target flat (≤ 1.1×) → ${verdict(rssRatio <= 1.1)}.`,
    table(['pending', 'seeding s', 'delivered', 'seconds', 'deliveries/s', 'dispatcher peak RSS MB'], [row(a), row(b)]),
  ]
  return { title: `Backlog on ${name}`, body: body.join('\n\n'), figures, data: { n, small: a, big: b, ratio: r } }
}
