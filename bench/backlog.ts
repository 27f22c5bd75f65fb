/**
 * Backlog: a receiver was down and deliveries piled up. Seeds 10,000 and 1,000,000 due
 * deliveries straight into the store's tables (see seed.ts) and times one dispatcher process's
 * first N deliveries from each, interleaved over a few rounds: a fresh 10,000 each round, the
 * same 1,000,000 (seeded once; it loses N a round). Reports the median of the per-round ratios
 * and the dispatcher's peak RSS.
 *
 * Both sides start each drain in the same state, so the ratio compares backlog sizes, not
 * moments of a shared machine: ANALYZEd, without dead rows (Postgres: VACUUM), and with the
 * seed's writes checkpointed (Postgres: CHECKPOINT; SQLite: the WAL truncated), else the
 * checkpoint that a 1M-row seed sets off (1.2 GB of WAL, past `max_wal_size`) runs through
 * the drain that follows it and every page that drain first touches is written to the WAL whole.
 */
import Database from 'better-sqlite3'
import mysql from 'mysql2'
import pg from 'pg'
import { dropTarget, newTarget, openOutbox, route, storeName, type StoreKind, type Target } from './hookbox.js'
import type { Receiver } from './receiver.js'
import { num, quick, ratio, stat, table, verdict, type Figure, type Result } from './support.js'
import { seedPending } from './seed.js'
import { drain, type DrainResult } from './workers.js'

/** Seeds `pending` deliveries to a fresh target; the target and the seconds it took. */
async function seeded(kind: StoreKind, receiver: Receiver, pending: number): Promise<{ t: Target; seedSeconds: number }> {
  const t = newTarget(kind)
  const box = await openOutbox(t)
  try {
    const [ep] = await route(box, receiver.url)
    const t0 = performance.now()
    await seedPending(t, ep!, pending, box.sqlite)
    return { t, seedSeconds: (performance.now() - t0) / 1000 }
  } finally {
    await box.close()
  }
}

/** Puts a target in the state a fresh seed leaves: statistics taken, no dead rows, writes checkpointed. */
export async function settle(t: Target): Promise<void> {
  if (t.kind === 'sqlite') {
    const db = new Database(t.file!)
    try {
      db.exec('ANALYZE')
      db.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      db.close()
    }
  } else if (t.kind === 'mysql') {
    const c = mysql.createConnection({ uri: t.url! }).promise()
    try {
      await c.query(`ANALYZE TABLE \`${t.database}\`.hookbox_messages, \`${t.database}\`.hookbox_deliveries`)
    } finally {
      await c.end()
    }
  } else {
    const client = new pg.Client({ connectionString: t.url })
    await client.connect()
    try {
      await client.query(`VACUUM ANALYZE "${t.schema}".messages, "${t.schema}".deliveries`)
      await client.query('CHECKPOINT')
    } finally {
      await client.end()
    }
  }
}

interface Side {
  pending: number
  seedSeconds: number[]
  drains: DrainResult[]
}

export async function backlogBench(kind: StoreKind, receiver: Receiver): Promise<Result> {
  const small = quick ? 2_000 : 10_000
  const big = quick ? 100_000 : 1_000_000
  const n = quick ? 1_500 : 8_000
  const rounds = quick ? 1 : 3
  const a: Side = { pending: small, seedSeconds: [], drains: [] }
  const b: Side = { pending: big, seedSeconds: [], drains: [] }
  const bigTarget = await seeded(kind, receiver, big)
  b.seedSeconds.push(bigTarget.seedSeconds)
  try {
    for (let round = 0; round < rounds; round++) {
      const s = await seeded(kind, receiver, small)
      try {
        a.seedSeconds.push(s.seedSeconds)
        await settle(s.t)
        a.drains.push(await drain(s.t, n))
      } finally {
        await dropTarget(s.t)
      }
      await settle(bigTarget.t)
      b.drains.push(await drain(bigTarget.t, n))
    }
  } finally {
    await dropTarget(bigTarget.t)
  }
  const ratios = b.drains.map((d, i) => d.perSecond / a.drains[i]!.perSecond)
  const r = stat(ratios).median
  const perSecond = (x: Side) => stat(x.drains.map((d) => d.perSecond)).median
  const rss = (x: Side) => stat(x.drains.map((d) => d.peakRssMb[0]!)).median
  const rssRatio = rss(b) / rss(a)
  const name = storeName(kind)
  const figures: Figure[] = [
    {
      id: `${kind}.backlog`,
      what: `${name}: throughput with ${num(big)} pending vs ${num(small)}`,
      value: perSecond(b),
      unit: '/s',
      baseline: { name: `${num(small)} pending`, value: perSecond(a) },
      ratio: r,
      target: '≥ 0.9×',
      met: r >= 0.9,
      note: `median of ${rounds} interleaved rounds (${ratios.map((x) => ratio(x)).join(', ')}); dispatcher peak RSS ${num(rss(a))} → ${num(rss(b))} MB`,
    },
    {
      id: `${kind}.backlog.rss`,
      what: `${name}: dispatcher peak RSS with ${num(big)} pending vs ${num(small)}`,
      value: rss(b),
      unit: 'MB',
      baseline: { name: `${num(small)} pending`, value: rss(a) },
      ratio: rssRatio,
      target: 'flat (≤ 1.1×)',
      met: rssRatio <= 1.1,
    },
  ]
  const rows = ratios.flatMap((x, i) =>
    [a, b].map((side) => {
      const d = side.drains[i]!
      return [
        String(i + 1),
        num(side.pending),
        side.seedSeconds[i] === undefined ? '—' : num(side.seedSeconds[i]!, 1),
        num(d.delivered),
        num(d.seconds, 2),
        num(d.perSecond),
        side === b ? ratio(x) : '',
        num(d.peakRssMb[0]!, 0),
      ]
    }),
  )
  const body = [
    `Pending deliveries seeded with bulk SQL into the real tables (expanded messages + one due \`each\` delivery each, then ANALYZE), one dispatcher process ` +
      `(concurrency 32) drains the first ${num(n)}; ${rounds} rounds, each a fresh ${num(small)} then the ${num(big)} seeded once, both brought to the same state before each drain (statistics, no dead rows, seed checkpointed); ` +
      `peak RSS is that process's \`maxRSS\` (on SQLite it includes the page cache). Ratio (median of the rounds) ${ratio(r)}, target ≥ 0.9× → ${verdict(r >= 0.9)}; peak RSS ${ratio(rssRatio)}, target flat (≤ 1.1×) → ${verdict(rssRatio <= 1.1)}.`,
    table(['round', 'pending', 'seeding s', 'delivered', 'seconds', 'deliveries/s', `vs ${num(small)}`, 'dispatcher peak RSS MB'], rows),
  ]
  return { title: `Backlog on ${name}`, body: body.join('\n\n'), figures, data: { n, rounds, small: a, big: b, ratios, ratio: r } }
}
