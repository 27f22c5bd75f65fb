/**
 * Postgres claim path: the store alone against the pg-boss no-op worker (a diagnostic).
 * - Hookbox store: a seeded backlog (seed.ts) drained by 2 loops each calling
 *   `store.claim({ limit: 100 })` then `store.complete()` with a delivered outcome and one
 *   attempt row per delivery (what the dispatcher writes back), no send at all.
 * - pg-boss: the same number of jobs inserted with `boss.insert`, drained by workers with a
 *   no-op handler (`batchSize: 100`, 2 workers), and with a handler that POSTs each job.
 */
import { newId } from '../packages/core/src/index.js'
import { dropTarget, newTarget, openOutbox, route } from './hookbox.js'
import { noopCompletion } from './noop-completion.js'
import { openPeer, PEER_START, peerDone, peerLabel, type PeerSettings } from './pgboss.js'
import type { Receiver } from './receiver.js'
import { seedPending } from './seed.js'
import { now, num, quick, ratio, showStat, stat, table, type Figure, type Result } from './support.js'

async function storeLoop(receiver: Receiver, n: number, loops = 2): Promise<number> {
  const t = newTarget('postgres')
  try {
    const box = await openOutbox(t)
    try {
      const [ep] = await route(box, receiver.url)
      await seedPending(t, ep!, n)
      const store = box.outbox.store
      const owner = newId()
      let done = 0
      const loop = async () => {
        for (;;) {
          const claims = (await store.queue.claim({ limit: 100, now: Date.now(), leaseMs: 30_000, owner })).leased
          if (claims.length === 0) return
          const at = Date.now()
          const completions = claims.map((c) => noopCompletion(c, ep!, at))
          // Awaited first: `done += await …` reads `done` before the await, so the two loops
          // overwrote each other's counts (about 40% of 20,000 went uncounted).
          const applied = (await store.queue.complete({ completions })).length
          done += applied
        }
      }
      const t0 = now()
      await Promise.all(Array.from({ length: loops }, loop))
      return done / ((now() - t0) / 1000)
    } finally {
      await box.close()
    }
  } finally {
    await dropTarget(t)
  }
}

async function peerDrain(receiver: Receiver, n: number, settings: PeerSettings): Promise<number> {
  const peer = await openPeer(receiver)
  try {
    await peer.seed(n)
    await receiver.reset()
    const t0 = now()
    await peer.work({ ...settings, noop: true })
    const { lastAt } = await peerDone(peer, n)
    return n / ((lastAt - t0) / 1000)
  } finally {
    await peer.close()
  }
}

/** `peerNoop`: the pg-boss no-op worker's best settings found in this run (outbox-peer.ts), or the issue's. */
export async function claimPathBench(receiver: Receiver, peerNoop: PeerSettings | null): Promise<Result> {
  const runs = quick ? 1 : 3
  const n = quick ? 3000 : 20_000
  const settings = peerNoop ?? { ...PEER_START, batchSize: 200, localConcurrency: 2 }
  const store: number[] = []
  const peer: number[] = []
  for (let r = 0; r < runs; r++) {
    store.push(await storeLoop(receiver, n))
    peer.push(await peerDrain(receiver, n, settings))
  }
  const s = stat(store)
  const pn = stat(peer)
  const figures: Figure[] = [
    {
      id: 'postgres.claim-complete',
      what: 'Postgres: store.claim + store.complete, no send (store path alone)',
      value: s.median,
      unit: '/s',
      baseline: { name: 'pg-boss no-op worker, same run', value: pn.median },
      ratio: s.median / pn.median,
      target: 'none (diagnostic; the engine target is in the pg-boss section)',
      met: null,
    },
  ]
  const body = [
    `${num(n)} due deliveries seeded per run; ${runs} run(s), median (min–max). Hookbox store path: 2 concurrent loops of \`store.claim({ limit: 100 })\` → \`store.complete()\` ` +
      '(delivered, one attempt row each), i.e. the claim, lease, fencing and write-back SQL with no dispatcher and no send. ' +
      `pg-boss 12: ${num(n)} jobs \`boss.insert\`ed, one no-op \`work\` with ${peerLabel(settings)}${peerNoop ? ' (the best found in the pg-boss section of this run)' : ''}.`,
    table(
      ['run', 'per second', 'ratio'],
      [
        ['Hookbox store.claim + store.complete (no send)', showStat(s), ratio(s.median / pn.median)],
        ['pg-boss no-op worker', showStat(pn), '1.00×'],
      ],
    ),
  ]
  return {
    title: 'Postgres claim path and the pg-boss peer',
    body: body.join('\n\n'),
    figures,
    data: { n, store: s, peerNoop: pn, settings },
  }
}
