/**
 * Latency at a steady 200 events/s: each event committed in its own host transaction, the
 * dispatcher running in the same process (the embedded case); commit → request headers at the
 * receiver (a separate process; both clocks are `performance.timeOrigin + now()`).
 * On Postgres, the pg-boss peer runs the same schedule in the same run.
 */
import { runHookbox } from './delivery.js'
import { dropTarget, newTarget, openOutbox, route, type StoreKind } from './hookbox.js'
import { openPeer, PEER_START, peerDone } from './pgboss.js'
import type { Receiver } from './receiver.js'
import { gc, now, num, percentile, quick, sleep, table, verdict, type Figure, type Result } from './support.js'

const RATE = 200

async function peerPaced(receiver: Receiver, n: number): Promise<{ p50: number; p99: number }> {
  const peer = await openPeer(receiver)
  try {
    await peer.work(PEER_START)
    const run = async (count: number, startAt: number) => {
      await receiver.reset()
      peer.reset()
      const committed = new Map<string, number>()
      const started = now()
      for (let i = 0; i < count; i++) {
        const wait = started + (i * 1000) / RATE - now()
        if (wait > 1) await sleep(wait)
        const client = await peer.pool.connect()
        try {
          committed.set(await peer.produce(startAt + i, client), now())
        } finally {
          client.release()
        }
      }
      await peerDone(peer, count)
      const { receipts } = await receiver.collect()
      const lat = [...committed].flatMap(([id, at]) => (receipts[id] === undefined ? [] : [receipts[id]! - at]))
      return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) }
    }
    await run(Math.min(200, n), 0)
    gc()
    return await run(n, 10_000)
  } finally {
    await peer.close()
  }
}

export async function latencyBench(kind: StoreKind, receiver: Receiver): Promise<Result> {
  const seconds = quick ? 2 : 10
  const n = RATE * seconds
  const t = newTarget(kind)
  let hb
  try {
    const box = await openOutbox(t)
    try {
      await route(box, receiver.url)
      box.outbox.start()
      await runHookbox(box.outbox, receiver, box.produce, 200, { ratePerSec: RATE })
      gc()
      hb = await runHookbox(box.outbox, receiver, box.produce, n, { ratePerSec: RATE, startAt: 10_000 })
    } finally {
      await box.close()
    }
  } finally {
    await dropTarget(t)
  }
  const name = kind === 'sqlite' ? 'SQLite' : 'Postgres'
  const peer = kind === 'postgres' ? await peerPaced(receiver, n) : null
  const p50ok = hb.p50 <= 5
  const p99ok = hb.p99 <= 25
  const figures: Figure[] = [
    {
      id: `${kind}.latency.p50`,
      what: `${name}: commit → receiver p50 at ${RATE}/s`,
      value: hb.p50,
      unit: 'ms',
      target: '≤ 5 ms',
      met: p50ok,
    },
    {
      id: `${kind}.latency.p99`,
      what: `${name}: commit → receiver p99 at ${RATE}/s`,
      value: hb.p99,
      unit: 'ms',
      target: '≤ 25 ms',
      met: p99ok,
    },
  ]
  if (peer) {
    figures[0]!.baseline = { name: 'pg-boss peer p50', value: peer.p50 }
    figures[0]!.ratio = hb.p50 / peer.p50
    figures[1]!.baseline = { name: 'pg-boss peer p99', value: peer.p99 }
    figures[1]!.ratio = hb.p99 / peer.p99
    figures.push({
      id: 'postgres.latency.beat-peers',
      what: 'Postgres: latency beats the peers (p50 < 4 ms and p99 < 12 ms)',
      value: hb.p50,
      unit: 'ms (p50)',
      target: 'p50 < 4 ms, p99 < 12 ms',
      met: hb.p50 < 4 && hb.p99 < 12,
    })
  }
  const rows = [
    [
      `Hookbox on ${name}`,
      num(hb.messages),
      num(hb.p50, 1),
      num(hb.p99, 1),
      num(hb.max, 1),
      `p50 ${verdict(p50ok)}, p99 ${verdict(p99ok)}`,
    ],
    ...(peer
      ? [['pg-boss 10 peer (send in tx + pg_notify → notifyWorker, batch 32)', num(n), num(peer.p50, 1), num(peer.p99, 1), '—', 'peer']]
      : []),
  ]
  const body = [
    `${num(n)} events at ${RATE}/s, one per host transaction, after 200 of warm-up; the dispatcher runs in the producing process (defaults; on Postgres \`wake: 'coalesced'\`). ` +
      'Latency: commit returned → request headers arrived at the receiver (a separate process).' +
      (peer
        ? ' pg-boss peer: same schedule; `boss.send(…, { db })` and `pg_notify` inside the transaction, a LISTEN connection calls `boss.notifyWorker` (pg-boss 10 has no LISTEN of its own; its polling floor is 0.5 s), one worker with `batchSize: 32` POSTs with undici.'
        : ''),
    table(['run', 'events', 'p50 ms', 'p99 ms', 'max ms', 'target p50 ≤ 5, p99 ≤ 25'], rows),
  ]
  return {
    title: `Latency on ${name}`,
    body: body.join('\n\n'),
    figures,
    data: { rate: RATE, n, hookbox: { p50: hb.p50, p99: hb.p99, max: hb.max }, peer },
  }
}
