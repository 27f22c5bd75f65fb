/**
 * Postgres against the outbox a user would hand-roll on pg-boss 12, each at its best (issue 16).
 * One workload for both, one process, as the issue measured it: 8 clients commit N host
 * transactions (UPDATE a business row + the enqueue) with the worker idle, THEN one in-process
 * worker drains that committed backlog to the receiver (another process); deliveries/s from
 * the worker's start to the last delivery. Overlapping the two would bound both contenders by
 * the commit rate (pg-boss's `send` makes the host transaction several times slower) and
 * measure the producers, not the worker. The clients' tx/s with the enqueue ÷ the same
 * transactions without it is measured separately, with the worker running (after the drain),
 * against the bare transactions measured first on the same schema.
 * The peer's settings are found by a coordinate search (one knob at a time over a bounded list,
 * keeping the best) on a smaller N; Hookbox runs at its defaults and at the best of a small
 * concurrency × batchSize grid. Engine alone: N enqueued up front, then the pg-boss no-op
 * worker (tuned the same way) against the Hookbox dispatcher with the no-op transport.
 */
import type pg from 'pg'
import { runRaw } from './delivery.js'
import { commitMany, dropTarget, newTarget, openOutbox, route, type Box, type OpenOptions } from './hookbox.js'
import { ACCOUNTS, openPeer, PEER_START, peerDone, peerLabel, type Peer, type PeerSettings } from './pgboss.js'
import { cores, cpuSince, machineCpu, type CpuSpent } from './machine-cpu.js'
import type { Receiver } from './receiver.js'
import {
  now,
  num,
  payloadFor,
  quick,
  ratio,
  showStat,
  sleep,
  stat,
  table,
  verdict,
  type Figure,
  type Result,
  type Stat,
} from './support.js'

/** Host transactions committing concurrently, each on its own connection. */
export const CLIENTS = 8

/** Runs `op(i)` for i < n on `CLIENTS` connections at once; tx/s. */
async function clients(pool: pg.Pool, n: number, startAt: number, op: (i: number, c: pg.PoolClient) => Promise<unknown>): Promise<number> {
  const conns = await Promise.all(Array.from({ length: CLIENTS }, () => pool.connect()))
  try {
    let next = 0
    const t0 = now()
    await Promise.all(
      conns.map(async (c) => {
        for (let i = next++; i < n; i = next++) await op(startAt + i, c)
      }),
    )
    return n / ((now() - t0) / 1000)
  } finally {
    for (const c of conns) c.release()
  }
}

interface E2e {
  /** Deliveries/s draining the committed backlog. */
  perSecond: number
  /** tx/s with the enqueue (worker running, delivering them) ÷ without; NaN when not measured. */
  txRatio: number
  /** tx/s with the enqueue (worker not started: the enqueue's own cost) ÷ without; NaN when not measured. */
  idleTxRatio: number
  /** The machine's CPU over the drain (worker, receiver, Postgres), per delivery. */
  cpu: CpuSpent
}

/** How many host transactions the tx/s ratio is measured over, with and without the enqueue. */
const TX_N = 2000

/**
 * How a trial fills the backlog: `host` commits one host transaction per event (the final
 * runs); `bulk` (the tuning trials, to fit the section's budget: pg-boss's `send` holds the
 * host transaction to a few hundred tx/s) enqueues the same jobs in bulk, worker idle either way.
 */
type Fill = 'host' | 'bulk'

/**
 * Commit phase (worker idle), drain phase (timed), then, if `tx`, the tx/s with the enqueue
 * while the worker runs, against the bare transactions measured before anything else.
 */
async function peerE2e(receiver: Receiver, s: PeerSettings, n: number, fill: Fill = 'host', tx = fill === 'host'): Promise<E2e> {
  const peer = await openPeer(receiver)
  try {
    const bare = tx ? await clients(peer.pool, TX_N, 0, peer.bare) : Number.NaN
    // The first TX_N of the backlog, worker not started, are the idle ratio's transactions.
    const idle = fill === 'host' ? await clients(peer.pool, TX_N, 1_000_000, peer.produce) : Number.NaN
    if (fill === 'host') await clients(peer.pool, n - TX_N, 1_000_000 + TX_N, peer.produce)
    else await peer.seed(n)
    await receiver.reset()
    peer.reset()
    const t0 = now()
    const cpu0 = machineCpu()
    await peer.work(s)
    const { lastAt } = await peerDone(peer, n)
    const cpu = cpuSince(cpu0, n)
    if (!tx) return { perSecond: n / ((lastAt - t0) / 1000), txRatio: Number.NaN, idleTxRatio: Number.NaN, cpu }
    const withSend = await clients(peer.pool, TX_N, 2_000_000, peer.produce)
    await peerDone(peer, n + TX_N)
    return { perSecond: n / ((lastAt - t0) / 1000), txRatio: withSend / bare, idleTxRatio: idle / bare, cpu }
  } finally {
    await peer.close()
  }
}

async function peerNoop(receiver: Receiver, s: PeerSettings, n: number): Promise<{ perSecond: number; cpu: CpuSpent }> {
  const peer: Peer = await openPeer(receiver)
  try {
    await peer.seed(n)
    const t0 = now()
    const cpu0 = machineCpu()
    await peer.work({ ...s, noop: true })
    const { lastAt } = await peerDone(peer, n)
    return { perSecond: n / ((lastAt - t0) / 1000), cpu: cpuSince(cpu0, n) }
  } finally {
    await peer.close()
  }
}

/** The host transaction on Hookbox: the same business-row UPDATE plus `notify`. */
async function hostTable(box: Box): Promise<(i: number, c: pg.PoolClient, notify: boolean) => Promise<void>> {
  const s = `"${box.pgSchema}"`
  await box.pool!.query(`CREATE TABLE ${s}.accounts (id int PRIMARY KEY, state text NOT NULL, version int NOT NULL DEFAULT 0)`)
  await box.pool!.query(`INSERT INTO ${s}.accounts (id, state) SELECT g, 'FAIL' FROM generate_series(1, ${ACCOUNTS}) g`)
  const text = `UPDATE ${s}.accounts SET state = $1, version = version + 1 WHERE id = $2`
  return async (i, c, notify) => {
    await c.query('BEGIN')
    try {
      await c.query({ name: 'hb_update', text, values: [i & 1 ? 'PASS' : 'FAIL', 1 + (i % ACCOUNTS)] })
      if (notify) await box.outbox.notify({ type: 'entity.state_changed', payload: payloadFor(i) }, { transaction: c })
      await c.query('COMMIT')
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined)
      throw error
    }
  }
}

/** Waits until `count()` reaches n. */
async function until(count: () => number, n: number, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (count() < n) {
    if (Date.now() > deadline) throw new Error(`${what}: only ${count()} of ${n} delivered within ${timeoutMs / 1000} s`)
    await sleep(5)
  }
}

/**
 * Hookbox, same workload: N committed with the dispatcher stopped, then the dispatcher drains
 * them (timed; `noop`: with the no-op transport), then, if `tx`, the tx/s with notify while it
 * runs against the bare transactions measured first.
 */
async function hookboxRun(
  receiver: Receiver,
  o: Pick<OpenOptions, 'concurrency' | 'batchSize'>,
  n: number,
  { noop = false, fill = 'host', tx = !noop && fill === 'host' }: { noop?: boolean; fill?: Fill; tx?: boolean } = {},
): Promise<E2e> {
  const t = newTarget('postgres')
  try {
    const box = await openOutbox(t, { ...o, noop, poolMax: CLIENTS + 8 })
    try {
      await route(box, noop ? 'noop://sink' : receiver.url)
      const host = await hostTable(box)
      let delivered = 0
      let lastAt = 0
      box.outbox.on('delivered', () => {
        delivered++
        lastAt = now()
      })
      const bare = tx ? await clients(box.pool!, TX_N, 0, (i, c) => host(i, c, false)) : Number.NaN
      const idle = fill === 'host' ? await clients(box.pool!, TX_N, 1_000_000, (i, c) => host(i, c, true)) : Number.NaN
      if (fill === 'host') await clients(box.pool!, n - TX_N, 1_000_000 + TX_N, (i, c) => host(i, c, true))
      else await commitMany(box, n)
      await receiver.reset()
      const t0 = now()
      const cpu0 = machineCpu()
      box.outbox.start()
      await until(() => delivered, n, noop ? 'Hookbox no-op' : 'Hookbox')
      const cpu = cpuSince(cpu0, n)
      const perSecond = n / ((lastAt - t0) / 1000)
      if (!tx) return { perSecond, txRatio: Number.NaN, idleTxRatio: Number.NaN, cpu }
      const withNotify = await clients(box.pool!, TX_N, 2_000_000, (i, c) => host(i, c, true))
      await until(() => delivered, n + TX_N, 'Hookbox')
      return { perSecond, txRatio: withNotify / bare, idleTxRatio: idle / bare, cpu }
    } finally {
      await box.close()
    }
  } finally {
    await dropTarget(t)
  }
}

/** Concurrencies of the raw-HTTP runs: the cheaper per request of the two bounds the machine. */
const RAW_CONCURRENCY = [32, 128]

/** One line on stderr per trial: the section prints nothing else until it ends. */
const progress = (line: string): void => void process.stderr.write(`  · ${line}\n`)

/** Tries each value of each knob in turn, keeping the best so far; every trial, in order. */
async function coordinateSearch<S extends object>(
  start: S,
  knobs: { [K in keyof S]?: Array<S[K]> },
  measure: (s: S) => Promise<number>,
): Promise<{ best: S; bestValue: number; trials: Array<{ s: S; value: number }> }> {
  const seen = new Map<string, number>()
  const trials: Array<{ s: S; value: number }> = []
  const score = async (s: S) => {
    const key = JSON.stringify(s)
    if (!seen.has(key)) {
      const t0 = now()
      const value = await measure(s)
      progress(`${key}: ${num(value)}/s in ${((now() - t0) / 1000).toFixed(1)} s`)
      seen.set(key, value)
      trials.push({ s, value })
    }
    return seen.get(key)!
  }
  let best = start
  let bestValue = await score(start)
  for (const k of Object.keys(knobs) as Array<keyof S>)
    for (const v of knobs[k]!) {
      const s = { ...best, [k]: v }
      const value = await score(s)
      if (value > bestValue) [best, bestValue] = [s, value]
    }
  return { best, bestValue, trials }
}

/**
 * What the machine's CPU allows (issue 16's 1.5× target): every process together (worker,
 * receiver, Postgres) may spend at most `cores × 1e6 / rate` µs per delivery at a given rate.
 * Raw undici POSTs with no database show what the HTTP alone costs; the rest of that budget is
 * all an engine and its database get. Compared with what pg-boss spends on the same (its machine
 * CPU per delivery minus the HTTP's), it says whether the target is reachable on this machine.
 */
function cpuCeiling(
  { rate: peerRate, runs: peerRuns }: { rate: number; runs: E2e[] },
  defRuns: E2e[],
  rawRuns: Array<{ concurrency: number; perSecond: number; cpu: CpuSpent }>,
  noop: { rate: number; runs: Array<{ cpu: CpuSpent }>; hookbox: E2e[] },
): { figures: Figure[]; text: string; data: unknown } {
  const us = (xs: Array<{ cpu: CpuSpent }>) => stat(xs.map((x) => x.cpu.usPerUnit))
  const share = (xs: Array<{ cpu: CpuSpent }>) => stat(xs.map((x) => x.cpu.busyShare))
  const rawBy = RAW_CONCURRENCY.map((c) => ({ c, runs: rawRuns.filter((r) => r.concurrency === c) }))
  const rawCheapest = rawBy.reduce((a, b) => (us(b.runs).median < us(a.runs).median ? b : a))
  const http = us(rawCheapest.runs).median
  const peer = us(peerRuns).median
  const hookbox = us(defRuns).median
  const needed = 1.5 * peerRate
  const budget = (cores() * 1e6) / needed
  const left = budget - http
  const peerEngine = peer - http
  const peerNoopUs = us(noop.runs).median
  const hookboxNoopUs = us(noop.hookbox).median
  const noopBudget = (cores() * 1e6) / (2 * noop.rate)
  const figures: Figure[] = [
    {
      id: 'postgres.machine-cpu',
      what: 'Postgres: machine CPU per delivery, every process (worker, receiver, Postgres), end to end: Hookbox defaults vs the pg-boss outbox',
      value: hookbox,
      unit: 'µs',
      baseline: { name: 'pg-boss at its best, same run', value: peer },
      ratio: peer / hookbox,
      target: 'none (what the rate targets come down to on a saturated machine)',
      met: null,
      note: `cores busy during the drains: Hookbox ${num(share(defRuns).median * 100)}%, pg-boss ${num(share(peerRuns).median * 100)}%`,
    },
    {
      id: 'postgres.cpu-left-at-target',
      what: `Postgres: machine CPU per delivery left for the engine and its database at the 1.5× target (${num(needed)}/s), after the HTTP alone`,
      value: left,
      unit: 'µs',
      baseline: { name: 'what pg-boss spends on it in this run (its machine CPU per delivery minus the HTTP’s)', value: peerEngine },
      ratio: left / peerEngine,
      target:
        'none (the 1.5× target needs an engine and Postgres that together spend no more than this per delivery: the ratio is that budget over what pg-boss spends)',
      met: null,
      note: `${cores()} cores ÷ ${num(needed)}/s = ${num(budget, 1)} µs per delivery for every process together; raw undici POSTs to the same receiver, no database, cost ${num(http, 1)} µs each (${rawCheapest.c} concurrent, ${num(stat(rawCheapest.runs.map((r) => r.perSecond)).median)}/s)`,
    },
    {
      id: 'postgres.machine-cpu-noop',
      what: 'Postgres: machine CPU per delivery, engine alone (no-op transport; worker and Postgres): Hookbox defaults vs the pg-boss no-op worker',
      value: hookboxNoopUs,
      unit: 'µs',
      baseline: { name: 'pg-boss no-op at its best, same run', value: peerNoopUs },
      ratio: peerNoopUs / hookboxNoopUs,
      target: 'none (the 2× target needs ≥ 2×, on a saturated machine)',
      met: null,
      note: `at 2× the peer (${num(2 * noop.rate)}/s) every process together may spend ${num(noopBudget, 1)} µs per delivery; cores busy: Hookbox ${num(share(noop.hookbox).median * 100)}%, pg-boss ${num(share(noop.runs).median * 100)}%`,
    },
  ]
  const text =
    `**What the machine allows.** Machine CPU (all processes, /proc/stat) per delivery over each drain: ` +
    `pg-boss ${num(peer, 1)} µs (cores busy ${num(share(peerRuns).median * 100)}%), Hookbox defaults ${num(hookbox, 1)} µs (${num(share(defRuns).median * 100)}%); ` +
    `raw undici POSTs with no database ${rawBy.map(({ c, runs }) => `${num(us(runs).median, 1)} µs at ${c} concurrent (${num(stat(runs.map((r) => r.perSecond)).median)}/s, ${num(share(runs).median * 100)}% busy)`).join(', ')}. ` +
    `At the 1.5× target (${num(needed)}/s) all processes together may spend ${num(budget, 1)} µs per delivery, so after the HTTP alone ${num(left, 1)} µs are left for the engine and Postgres: ` +
    `${ratio(left / peerEngine)} of the ${num(peerEngine, 1)} µs pg-boss spends on its queue (one row inserted, fetched and completed per job). ` +
    `Engine alone (no-op): pg-boss ${num(peerNoopUs, 1)} µs per job, Hookbox ${num(hookboxNoopUs, 1)} µs per delivery; 2× the peer's rate leaves ${num(noopBudget, 1)} µs.`
  return {
    figures,
    text,
    data: {
      http: rawBy.map(({ c, runs }) => ({ concurrency: c, us: us(runs), busy: share(runs) })),
      peer,
      hookbox,
      needed,
      budget,
      left,
      peerEngine,
    },
  }
}

const hbLabel = (o: Pick<OpenOptions, 'concurrency' | 'batchSize'>) =>
  o.concurrency === undefined && o.batchSize === undefined
    ? 'defaults (concurrency 128 on Postgres, batchSize 100)'
    : `concurrency ${o.concurrency}, batchSize ${o.batchSize}`

export async function outboxPeerBench(receiver: Receiver): Promise<Result> {
  const runs = quick ? 1 : 3
  const n = quick ? 2000 : 10_000
  const tuneN = quick ? 1000 : 4000
  const peerKnobs: { [K in keyof PeerSettings]?: number[] } = quick
    ? { batchSize: [50, 200], localConcurrency: [2, 8] }
    : { batchSize: [50, 200, 400, 1000], localConcurrency: [1, 2, 8, 16], connections: [32, 128] }
  const peerTune = await coordinateSearch(PEER_START, peerKnobs, async (s) => (await peerE2e(receiver, s, tuneN, 'bulk')).perSecond)
  const noopStart: PeerSettings = { ...PEER_START, batchSize: 200, localConcurrency: 2 }
  const noopKnobs: { [K in keyof PeerSettings]?: number[] } = quick
    ? { batchSize: [500] }
    : { batchSize: [100, 500, 1000], localConcurrency: [1, 4] }
  const noopTune = await coordinateSearch(noopStart, noopKnobs, async (s) => (await peerNoop(receiver, s, tuneN * 2)).perSecond)
  const grid = quick
    ? [{ concurrency: 64, batchSize: 100 }]
    : [
        ...[32, 64, 128].map((concurrency) => ({ concurrency, batchSize: 100 })),
        ...[50, 200].map((batchSize) => ({ concurrency: 64, batchSize })),
      ]
  const hbTrials: Array<{ o: (typeof grid)[number]; value: number }> = []
  for (const o of grid) {
    hbTrials.push({ o, value: (await hookboxRun(receiver, o, tuneN, { fill: 'bulk' })).perSecond })
    progress(`Hookbox ${hbLabel(o)}: ${num(hbTrials.at(-1)!.value)}/s`)
  }
  const hbBest = hbTrials.reduce((a, b) => (b.value > a.value ? b : a)).o

  // Final figures: the three contenders interleaved, full N.
  const peerRuns: E2e[] = []
  const defRuns: E2e[] = []
  const bestRuns: E2e[] = []
  // Raw undici POSTs to the same receiver, no database: what the HTTP alone costs the machine.
  const rawRuns: Array<{ concurrency: number; perSecond: number; cpu: CpuSpent }> = []
  await runRaw(receiver, 1000, { warm: 500 })
  for (let r = 0; r < runs; r++) {
    for (const concurrency of RAW_CONCURRENCY) {
      const raw = await runRaw(receiver, n, { concurrency, warm: 100 })
      rawRuns.push({ concurrency, perSecond: raw.perSecond, cpu: raw.cpu })
    }
    peerRuns.push(await peerE2e(receiver, peerTune.best, n))
    defRuns.push(await hookboxRun(receiver, {}, n))
    bestRuns.push(await hookboxRun(receiver, hbBest, n, { fill: 'bulk' }))
    progress(
      `final round ${r + 1}: pg-boss ${num(peerRuns.at(-1)!.perSecond)}/s, Hookbox ${num(defRuns.at(-1)!.perSecond)}/s, best ${num(bestRuns.at(-1)!.perSecond)}/s`,
    )
  }
  const peerNoopRuns: Array<{ perSecond: number; cpu: CpuSpent }> = []
  const hbNoopRuns: E2e[] = []
  for (let r = 0; r < runs; r++) {
    peerNoopRuns.push(await peerNoop(receiver, noopTune.best, n))
    hbNoopRuns.push(await hookboxRun(receiver, {}, n, { noop: true, fill: 'bulk' }))
  }
  const S = (xs: E2e[], k: 'perSecond' | 'txRatio' | 'idleTxRatio'): Stat => stat(xs.map((x) => x[k]))
  const peerS = S(peerRuns, 'perSecond')
  const defS = S(defRuns, 'perSecond')
  const bestS = S(bestRuns, 'perSecond')
  const peerTx = S(peerRuns, 'txRatio')
  const defTx = S(defRuns, 'txRatio')
  const peerIdleTx = S(peerRuns, 'idleTxRatio')
  const defIdleTx = S(defRuns, 'idleTxRatio')
  const pNoop = stat(peerNoopRuns.map((r) => r.perSecond))
  const hNoop = stat(hbNoopRuns.map((r) => r.perSecond))
  const e2eR = defS.median / peerS.median
  const defVsBest = defS.median / Math.max(bestS.median, defS.median)
  const noopR = hNoop.median / pNoop.median
  const ceiling = cpuCeiling({ rate: peerS.median, runs: peerRuns }, defRuns, rawRuns, {
    rate: pNoop.median,
    runs: peerNoopRuns,
    hookbox: hbNoopRuns,
  })
  const figures: Figure[] = [
    {
      id: 'postgres.vs-pgboss',
      what: 'Postgres: end to end, Hookbox defaults vs the pg-boss 12 outbox at its best (8 clients, host tx)',
      value: defS.median,
      unit: '/s',
      baseline: { name: `pg-boss (${peerLabel(peerTune.best)})`, value: peerS.median },
      ratio: e2eR,
      target: '≥ 1.5×',
      met: e2eR >= 1.5,
    },
    {
      id: 'postgres.default-vs-best',
      what: 'Postgres: Hookbox defaults vs its own best tuning, end to end',
      value: defS.median,
      unit: '/s',
      baseline: { name: `Hookbox ${hbLabel(hbBest)}`, value: bestS.median },
      ratio: defVsBest,
      target: '≥ 0.8× (default within 20%)',
      met: defVsBest >= 0.8,
    },
    {
      id: 'postgres.noop-vs-pgboss',
      what: 'Postgres: engine alone (Hookbox no-op transport vs pg-boss no-op worker at its best)',
      value: hNoop.median,
      unit: '/s',
      baseline: { name: `pg-boss no-op (${peerLabel(noopTune.best)})`, value: pNoop.median },
      ratio: noopR,
      target: '≥ 2×',
      met: noopR >= 2,
    },
    {
      id: 'postgres.notify-tx',
      what: `Postgres: host tx/s with notify ÷ without (${CLIENTS} clients, default wake, dispatcher not started: notify's own cost, as the issue measured it)`,
      value: defIdleTx.median,
      unit: '×',
      baseline: { name: 'pg-boss send in the tx, same run', value: peerIdleTx.median },
      ratio: defIdleTx.median,
      target: '≥ 0.75',
      met: defIdleTx.median >= 0.75,
    },
    {
      id: 'postgres.notify-tx-busy',
      what: `Postgres: host tx/s with notify ÷ without (${CLIENTS} clients, default wake, while the dispatcher in the same process delivers them)`,
      value: defTx.median,
      unit: '×',
      baseline: { name: 'pg-boss send in the tx, its worker running, same run', value: peerTx.median },
      ratio: defTx.median,
      target: 'none (the 2 cores are shared with the delivery work)',
      met: null,
    },
    ...ceiling.figures,
  ]
  const trialRows = (trials: Array<{ s: PeerSettings; value: number }>, best: PeerSettings) =>
    trials.map(({ s, value }) => [peerLabel(s), num(value), s === best || JSON.stringify(s) === JSON.stringify(best) ? '**best**' : ''])
  const body = [
    `One process: ${CLIENTS} clients commit ${num(n)} host transactions (UPDATE one of ${num(ACCOUNTS)} business rows + the enqueue) with the worker idle, then one in-process worker drains that committed backlog to the receiver (a separate process); ` +
      `deliveries/s from the worker's start to the last delivery (Hookbox's includes expanding the committed messages). tx/s ratios: ${num(TX_N)} host transactions without the enqueue (first) against ${num(TX_N)} with it, once before the worker starts (the first ${num(TX_N)} of the backlog: the enqueue's own cost to the host, the target) and once more while the worker runs and delivers them (after the drain: the host's clients, the worker, Postgres and the receiver then share the 2 cores), same schema. ` +
      `pg-boss 12: \`boss.send(…, { db })\` in the transaction, a \`notify: true\` queue with \`useListenNotify\` (its own transactional pg_notify wakes the worker), one \`work\` with \`burstWhenBatchFull\`, the handler POSTs the whole batch at once through an undici \`Pool\`. ` +
      `Hookbox: the same transaction with \`outbox.notify(…, { transaction })\`, the dispatcher in the same process; Postgres store defaults (\`wake: 'coalesced'\`); ${num(10_000)} other tenants' endpoints in the database. ` +
      `${runs} interleaved run(s) each, median (min–max).`,
    table(
      ['run', 'deliveries/s', 'tx/s with enqueue ÷ without, worker idle', '… worker delivering', 'ratio vs pg-boss'],
      [
        [`pg-boss 12 outbox, best: ${peerLabel(peerTune.best)}`, showStat(peerS), showStat(peerIdleTx, 2), showStat(peerTx, 2), '1.00×'],
        [
          `Hookbox, ${hbLabel({})}`,
          showStat(defS),
          `${showStat(defIdleTx, 2)} (≥ 0.75 → ${verdict(defIdleTx.median >= 0.75)})`,
          showStat(defTx, 2),
          `${ratio(e2eR)} (≥ 1.5× → ${verdict(e2eR >= 1.5)})`,
        ],
        [
          `Hookbox, best of the grid: ${hbLabel(hbBest)} (backlog 100 notifies per transaction)`,
          showStat(bestS),
          '— (same notify as the defaults)',
          '—',
          ratio(bestS.median / peerS.median),
        ],
      ],
    ),
    ceiling.text,
    `Engine alone: ${num(n)} enqueued first (pg-boss \`insert\`; Hookbox 100 notifies per transaction, not yet expanded), then one worker / dispatcher in this process with no send.`,
    table(
      ['run', 'per second', 'ratio'],
      [
        [`pg-boss 12 no-op worker, best: ${peerLabel(noopTune.best)}`, showStat(pNoop), '1.00×'],
        ['Hookbox dispatcher, no-op transport, defaults', showStat(hNoop), `${ratio(noopR)} (≥ 2× → ${verdict(noopR >= 2)})`],
      ],
    ),
    `**How the peer's settings were found:** coordinate search from the issue's settings (${peerLabel(PEER_START)}), one knob at a time over ` +
      `${Object.entries(peerKnobs)
        .map(([k, v]) => `${k} ∈ {${v!.join(', ')}}`)
        .join(
          '; ',
        )}, keeping the best so far, one run of ${num(tuneN)} each (backlog enqueued in bulk (\`boss.insert\`) to fit the budget; the final runs above commit host transactions):`,
    table(['pg-boss settings (end to end)', 'deliveries/s', ''], trialRows(peerTune.trials, peerTune.best)),
    `No-op worker, the same search from ${peerLabel(noopStart)} over ${Object.entries(noopKnobs)
      .map(([k, v]) => `${k} ∈ {${v!.join(', ')}}`)
      .join('; ')}, ${num(tuneN * 2)} jobs each:`,
    table(['pg-boss settings (no-op)', 'per second', ''], trialRows(noopTune.trials, noopTune.best)),
    `Hookbox grid (concurrency × batchSize, one run of ${num(tuneN)} each, backlog committed 100 notifies per transaction):`,
    table(
      ['Hookbox settings', 'deliveries/s', ''],
      hbTrials.map(({ o, value }) => [hbLabel(o), num(value), o === hbBest ? '**best**' : '']),
    ),
  ]
  return {
    title: 'Postgres vs the pg-boss outbox at its best',
    body: body.join('\n\n'),
    figures,
    data: {
      n,
      peerBest: peerTune.best,
      peerTrials: peerTune.trials,
      peerNoopBest: noopTune.best,
      peerNoopTrials: noopTune.trials,
      hookboxBest: hbBest,
      hookboxTrials: hbTrials,
      peer: peerS,
      hookboxDefault: defS,
      hookboxBestRun: bestS,
      peerTxRatio: peerTx,
      hookboxTxRatio: defTx,
      peerIdleTxRatio: peerIdleTx,
      hookboxIdleTxRatio: defIdleTx,
      peerNoop: pNoop,
      hookboxNoop: hNoop,
      cpu: ceiling.data,
    },
  }
}
