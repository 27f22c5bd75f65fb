/**
 * Head of line: one customer's endpoint is stuck (its in-flight window full, so every claim
 * skips it) with a large due backlog ahead of everything else in claim order, while another
 * customer's endpoint F has deliveries due behind it. Times the claims a dispatcher makes then
 * (skipping the stuck endpoint, leasing F's), with the stuck endpoint at `big` pending against
 * none, interleaved over a few rounds; reports the median of the per-round ratios. The claims
 * go straight to the store (`queue.claim`, limit 10, a lease of 1 ms and a clock 2 ms further on
 * each claim, so the same F deliveries are due again and neither side's state drifts).
 */
import type { QueueStore } from '../packages/core/src/index.js'
import { mysqlStore } from '../packages/store-mysql/src/index.js'
import { postgresStore } from '../packages/store-postgres/src/index.js'
import { sqliteStore } from '../packages/store-sqlite/src/index.js'
import { settle } from './backlog.js'
import { dropTarget, newTarget, openOutbox, route, storeName, type Box, type StoreKind, type Target } from './hookbox.js'
import type { Receiver } from './receiver.js'
import { seedPending } from './seed.js'
import { num, quick, ratio, stat, table, verdict, type Figure, type Result } from './support.js'

/** The stuck endpoint (no row of its own: the claim only skips its id). */
export const STUCK = 'ep_stuck'
/** F's due deliveries, behind the stuck endpoint's backlog. */
const HEALTHY = 2_000

/** One side of the comparison: its outbox, its store's queue and F's id. */
export interface Side {
  t: Target
  box: Box
  queue: QueueStore
  healthy: string
  pending: number
}

/** A target whose `stuck` first deliveries are the stuck endpoint's and the {@link HEALTHY} after them F's. */
export async function headOfLineSide(kind: StoreKind, receiver: Receiver, stuck: number): Promise<Side> {
  const t = newTarget(kind)
  const box = await openOutbox(t)
  const [healthy] = await route(box, receiver.url, { tenants: 0 })
  // Seeded as the stuck endpoint's, then the last HEALTHY in claim order handed to F (a small
  // update). By order, not by `message_seq > stuck`: MariaDB's bulk insert leaves gaps in the
  // sequence, and that condition handed F 64,140 of 302,000 instead of 2,000.
  await seedPending(t, stuck > 0 ? STUCK : healthy!, stuck + HEALTHY, box.sqlite)
  if (stuck > 0) {
    const to = `endpoint_id = '${healthy}', targets = '["${healthy}"]'`
    const last = `ORDER BY message_seq DESC LIMIT ${HEALTHY}`
    if (box.sqlite) box.sqlite.exec(`UPDATE hookbox_deliveries SET ${to} WHERE id IN (SELECT id FROM hookbox_deliveries ${last})`)
    else if (box.pool)
      await box.pool.query(
        `UPDATE "${box.pgSchema}".deliveries SET ${to} WHERE id IN (SELECT id FROM "${box.pgSchema}".deliveries ${last})`,
      )
    else await box.mysql!.promise().query(`UPDATE \`${box.mysqlDatabase}\`.hookbox_deliveries SET ${to} ${last}`)
    if ((await healthyCount(box, healthy!)) !== HEALTHY)
      throw new Error(`F has ${await healthyCount(box, healthy!)} deliveries, not ${HEALTHY}`)
  }
  await settle(t)
  const queue = box.sqlite
    ? sqliteStore({ database: box.sqlite }).queue
    : box.pool
      ? postgresStore({ pool: box.pool, schema: box.pgSchema! }).queue
      : mysqlStore({ pool: box.mysql!, database: box.mysqlDatabase! }).queue
  return { t, box, queue, healthy: healthy!, pending: stuck }
}

/** How many deliveries the endpoint `id` has. */
async function healthyCount(box: Box, id: string): Promise<number> {
  const q = 'SELECT count(*) AS n FROM'
  if (box.sqlite) return (box.sqlite.prepare(`${q} hookbox_deliveries WHERE endpoint_id = ?`).get(id) as { n: number }).n
  if (box.pool) return Number((await box.pool.query(`${q} "${box.pgSchema}".deliveries WHERE endpoint_id = $1`, [id])).rows[0].n)
  const [rows] = await box.mysql!.promise().query(`${q} \`${box.mysqlDatabase}\`.hookbox_deliveries WHERE endpoint_id = ?`, [id])
  return Number((rows as Array<{ n: number }>)[0]!.n)
}

/** Claims/s of `claims` claims skipping the stuck endpoint; each must lease F's deliveries. */
async function claimRate(s: Side, claims: number, clock: { now: number }): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < claims; i++) {
    clock.now += 2
    const { leased } = await s.queue.claim({ limit: 10, now: clock.now, leaseMs: 1, owner: 'bench', skipEndpoints: [STUCK] })
    if (leased.length !== 10 || leased.some((l) => l.delivery.endpointId !== s.healthy))
      throw new Error(`a claim skipping the stuck endpoint leased ${leased.length} deliveries, not 10 of F's`)
  }
  return claims / ((performance.now() - t0) / 1000)
}

/** The head-of-line section of the bench: claims/s past a stuck endpoint's backlog against none. */
export async function headOfLineBench(kind: StoreKind, receiver: Receiver): Promise<Result> {
  const big = quick ? 100_000 : kind === 'mysql' ? 300_000 : 1_000_000
  const claims = quick ? 100 : 300
  // Each round is under half a second of claims, so one round moves ±15% with whatever else the
  // machine does at that moment (per-round ratios 0.83–1.13 over three runs of 3 rounds, the
  // same code on both sides): 7 rounds keep that out of the median.
  const rounds = quick ? 1 : 7
  const a = await headOfLineSide(kind, receiver, 0)
  const b = await headOfLineSide(kind, receiver, big).catch(async (e: unknown) => {
    await a.box.close()
    await dropTarget(a.t)
    throw e
  })
  const clock = { now: Date.now() }
  const rates: Array<[number, number]> = []
  try {
    await claimRate(a, 20, clock)
    await claimRate(b, 20, clock)
    for (let round = 0; round < rounds; round++) rates.push([await claimRate(a, claims, clock), await claimRate(b, claims, clock)])
  } finally {
    for (const s of [a, b]) {
      await s.box.close()
      await dropTarget(s.t)
    }
  }
  const ratios = rates.map(([x, y]) => y / x)
  const r = stat(ratios).median
  const name = storeName(kind)
  const figure: Figure = {
    id: `${kind}.head-of-line`,
    what: `${name}: claims/s reaching another endpoint past one stuck with ${num(big)} due vs none`,
    value: stat(rates.map(([, y]) => y)).median,
    unit: '/s',
    baseline: { name: 'none stuck', value: stat(rates.map(([x]) => x)).median },
    ratio: r,
    target: '≥ 0.9×',
    met: r >= 0.9,
    note: `median of ${rounds} interleaved rounds (${ratios.map((x) => ratio(x)).join(', ')})`,
  }
  const body = [
    `A stuck endpoint's ${num(big)} due deliveries (bulk SQL, see seed.ts) ahead of another endpoint's ${num(HEALTHY)} in claim order, against the same ${num(HEALTHY)} alone; ` +
      `${rounds} interleaved rounds of ${num(claims)} claims of 10 that skip the stuck endpoint, as a dispatcher's do while its window is full, each leasing the other's. ` +
      `Ratio (median of the rounds) ${ratio(r)}, target ≥ 0.9× → ${verdict(r >= 0.9)}.`,
    table(
      ['round', 'claims/s, none stuck', `claims/s, ${num(big)} stuck`, 'ratio'],
      rates.map(([x, y], i) => [String(i + 1), num(x), num(y), ratio(y / x)]),
    ),
  ]
  return {
    title: `Head of line on ${name}`,
    body: body.join('\n\n'),
    figures: [figure],
    data: { big, claims, rounds, rates, ratios, ratio: r },
  }
}
