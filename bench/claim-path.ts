/**
 * Postgres claim path, store alone vs the pg-boss peer, and the peer end to end.
 * - Hookbox store: a seeded backlog (seed.ts) drained by 2 loops each calling
 *   `store.claim({ limit: 100 })` then `store.complete()` with a delivered outcome and one
 *   attempt row per delivery (what the dispatcher writes back), no send at all.
 * - pg-boss: the same number of jobs inserted with `boss.insert`, drained by workers with a
 *   no-op handler (`batchSize: 100`, 2 workers), and with a handler that POSTs each job.
 */
import { newId, type Completion } from '../packages/core/src/index.js'
import { dropTarget, newTarget, openOutbox, route } from './hookbox.js'
import { openPeer, peerDone } from './pgboss.js'
import type { Receiver } from './receiver.js'
import { seedPending } from './seed.js'
import { now, num, quick, ratio, showStat, stat, table, verdict, type Figure, type Result, type Stat } from './support.js'

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
          const claims = await store.queue.claim({ limit: 100, now: Date.now(), leaseMs: 30_000, owner })
          if (claims.length === 0) return
          const at = Date.now()
          const completions: Completion[] = claims.map((c) => ({
            deliveryId: c.delivery.id,
            tenant: null,
            leaseToken: c.leaseToken,
            state: 'delivered',
            attempts: 1,
            nextAttemptAt: null,
            progress: { [ep!]: 'acked' },
            lastError: null,
            completedAt: at,
            updatedAt: at,
            attemptLog: [
              {
                id: newId(),
                deliveryId: c.delivery.id,
                tenant: null,
                endpointId: ep!,
                round: 1,
                url: 'noop://sink',
                startedAt: at,
                latencyMs: 0,
                statusCode: 200,
                outcome: 'ack',
                error: null,
                responseSnippet: null,
              },
            ],
            disableEndpoints: [],
          }))
          done += (await store.queue.complete({ completions })).length
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

async function peerDrain(receiver: Receiver, n: number, noop: boolean): Promise<number> {
  const peer = await openPeer(receiver)
  try {
    await peer.seed(n)
    await receiver.reset()
    const t0 = now()
    await peer.work(noop ? { workers: 2, batchSize: 100, noop } : { workers: 4, batchSize: 8 })
    const { lastAt } = await peerDone(peer, n)
    return n / ((lastAt - t0) / 1000)
  } finally {
    await peer.close()
  }
}

/** `hookboxPg`: Hookbox-on-Postgres end-to-end throughput measured in this run (throughput.ts). */
export async function claimPathBench(receiver: Receiver, hookboxPg: Stat | null): Promise<Result> {
  const runs = quick ? 1 : 3
  const n = quick ? 3000 : 20_000
  const store: number[] = []
  const peerNoop: number[] = []
  const peerPost: number[] = []
  for (let r = 0; r < runs; r++) {
    store.push(await storeLoop(receiver, n))
    peerNoop.push(await peerDrain(receiver, n, true))
    peerPost.push(await peerDrain(receiver, Math.round(n / 2), false))
  }
  const s = stat(store)
  const pn = stat(peerNoop)
  const pp = stat(peerPost)
  const figures: Figure[] = [
    {
      id: 'postgres.claim-complete',
      what: 'Postgres: store.claim + store.complete, no send (store path alone)',
      value: s.median,
      unit: '/s',
      baseline: { name: 'pg-boss no-op worker, same run', value: pn.median },
      ratio: s.median / pn.median,
      target: '≥ 15,000/s',
      met: s.median >= 15_000,
    },
  ]
  if (hookboxPg)
    figures.push({
      id: 'postgres.vs-pgboss',
      what: 'Postgres: Hookbox end-to-end vs pg-boss outbox end-to-end',
      value: hookboxPg.median,
      unit: '/s',
      baseline: { name: 'pg-boss peer (worker POSTs with undici)', value: pp.median },
      ratio: hookboxPg.median / pp.median,
      target: 'none (peer comparison)',
      met: null,
    })
  const body = [
    `${num(n)} due deliveries seeded per run; ${runs} run(s), median (min–max). Hookbox store path: 2 concurrent loops of \`store.claim({ limit: 100 })\` → \`store.complete()\` ` +
      '(delivered, one attempt row each), i.e. the claim, lease, fencing and write-back SQL with no dispatcher and no send. ' +
      `pg-boss 10: ${num(n)} jobs \`boss.insert\`ed, 2 workers with \`batchSize: 100\` and a no-op handler (a full batch re-fetches at once via \`notifyWorker\`); ` +
      `end to end: ${num(n / 2)} jobs, 4 workers × \`batchSize: 8\` (32 in flight, like Hookbox's concurrency) POSTing each job with undici to the same receiver; its timing ends at the last handler, before pg-boss's (unawaited) complete.`,
    table(
      ['run', 'per second', 'target'],
      [
        ['Hookbox store.claim + store.complete (no send)', showStat(s), `≥ 15,000/s → ${verdict(s.median >= 15_000)}`],
        ['pg-boss no-op worker (batchSize 100)', showStat(pn), 'peer'],
        ['pg-boss outbox, worker POSTs (32 in flight)', showStat(pp), 'peer'],
        ...(hookboxPg
          ? [
              [
                'Hookbox on Postgres end to end (from the throughput section)',
                showStat(hookboxPg),
                `${ratio(hookboxPg.median / pp.median)} of pg-boss`,
              ],
            ]
          : []),
      ],
    ),
  ]
  return {
    title: 'Postgres claim path and the pg-boss peer',
    body: body.join('\n\n'),
    figures,
    data: { n, store: s, peerNoop: pn, peerPost: pp },
  }
}
