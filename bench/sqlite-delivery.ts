/**
 * Benchmark 2 — delivery throughput on SQLite: Hookbox (dispatcher running, concurrency 32)
 * delivering 5,000 messages to a local node:http receiver vs raw undici `request()` POSTs of
 * the same bodies with the same concurrency through an undici Agent to the same receiver.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOutbox, policies, type Outbox, type OutboxOptions } from '../packages/core/src/index.js'
import { sqliteStore } from '../packages/store-sqlite/src/index.js'
import { runHookbox, runRaw, type HookboxRun, type RawRun } from './delivery.js'
import type { Receiver } from './receiver.js'
import { gc, num, payloadFor, ratio, table, type Section } from './support.js'

/** A started SQLite outbox on a fresh WAL file, with one collection and one endpoint. */
export async function sqliteOutbox(
  receiver: Receiver,
  extra: Partial<OutboxOptions> = {},
  start = true,
): Promise<{ outbox: Outbox; db: Database.Database; produce: (i: number, count: number) => string[]; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hookbox-bench-'))
  const db = new Database(join(dir, 'app.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const outbox = createOutbox({
    store: sqliteStore({ database: db }),
    dispatcher: { concurrency: 32 },
    http: { allowHttp: true, ...extra.http },
    security: { ssrf: { allow: ['127.0.0.1'] } },
    ...extra,
  })
  outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
  await outbox.migrate()
  await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed() })
  await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
  if (start) outbox.start()
  const one = db.transaction((i: number) => [outbox.notify({ type: 'entity.state_changed', payload: payloadFor(i) }, { transaction: db }).messageId])
  const many = db.transaction((i: number, count: number) =>
    outbox.notifyMany(Array.from({ length: count }, (_, k) => ({ type: 'entity.state_changed', payload: payloadFor(i + k) })), { transaction: db }).map((r) => r.messageId),
  )
  return {
    outbox,
    db,
    produce: (i, count) => (count === 1 ? one(i) : many(i, count)),
    close: async () => {
      await outbox.close()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Warm-up plus one measured burst of `n` on a fresh outbox. */
async function hookboxBurst(receiver: Receiver, n: number, extra: Partial<OutboxOptions> = {}): Promise<HookboxRun> {
  const box = await sqliteOutbox(receiver, extra)
  try {
    await runHookbox(box.outbox, receiver, box.produce, 500)
    gc()
    return await runHookbox(box.outbox, receiver, box.produce, n, { startAt: 1000 })
  } finally {
    await box.close()
  }
}

/**
 * The dispatcher alone: `n` messages already committed (a backlog, as after an outage), then
 * the dispatcher starts; time runs from start to the last `delivered` event.
 */
async function hookboxBacklog(receiver: Receiver, n: number): Promise<{ seconds: number; perSecond: number }> {
  const box = await sqliteOutbox(receiver, {}, false)
  try {
    for (let i = 0; i < n; i += 500) box.produce(i, Math.min(500, n - i))
    gc()
    let delivered = 0
    const done = new Promise<void>((resolve) => box.outbox.on('delivered', () => ++delivered === n && resolve()))
    const t0 = performance.now()
    box.outbox.start()
    await done
    const seconds = (performance.now() - t0) / 1000
    return { seconds, perSecond: n / seconds }
  } finally {
    await box.close()
  }
}

/** Paced load (below capacity) for latency without a backlog. */
async function hookboxPaced(receiver: Receiver, n: number, ratePerSec: number): Promise<HookboxRun> {
  const box = await sqliteOutbox(receiver)
  try {
    await runHookbox(box.outbox, receiver, box.produce, 300)
    gc()
    return await runHookbox(box.outbox, receiver, box.produce, n, { startAt: 1000, ratePerSec })
  } finally {
    await box.close()
  }
}

export const hookboxRow = (name: string, r: HookboxRun, base: number) => [
  name,
  num(r.messages),
  num(r.seconds, 2),
  num(r.perSecond),
  ratio(r.perSecond / base),
  num(r.p50, 1),
  num(r.p99, 1),
  num(r.max, 1),
  num(r.received),
]
export const rawRow = (name: string, r: RawRun, base: number) => [name, num(r.messages), num(r.seconds, 2), num(r.perSecond), ratio(r.perSecond / base), num(r.p50, 1), num(r.p99, 1), '—', num(r.messages)]
export const deliveryHeaders = ['run', 'messages', 'seconds', 'deliveries/s', 'ratio vs raw undici', 'p50 ms', 'p99 ms', 'max ms', 'requests received']

/** Runs benchmark 2 and returns its section. */
export async function sqliteDeliveryBench(receiver: Receiver, options: { n?: number } = {}): Promise<Section> {
  const n = options.n ?? 5000
  // Alternate baseline and engine so drift hits both; the baseline is the mean of its two runs.
  const raw1 = await runRaw(receiver, n, { concurrency: 32 })
  const hb = await hookboxBurst(receiver, n)
  const raw2 = await runRaw(receiver, n, { concurrency: 32 })
  const hb16 = await hookboxBurst(receiver, n, { http: { allowHttp: true, connectionsPerOrigin: 16 } })
  const raw16 = await runRaw(receiver, n, { concurrency: 32, connections: 16 })
  const paced = await hookboxPaced(receiver, 2000, 500)
  const backlog = await hookboxBacklog(receiver, n)
  const base = (raw1.perSecond + raw2.perSecond) / 2
  const body = [
    `N = ${num(n)} messages; the receiver (node:http on 127.0.0.1, answers 200 at once) runs in a **${receiver.where}**. ` +
      'Hookbox: fresh SQLite file (WAL, synchronous=NORMAL), one collection (`fixed` policy, `each` mode) with one endpoint, dispatcher started with concurrency 32, ' +
      '`http: { allowHttp: true }`, `security: { ssrf: { allow: [\'127.0.0.1\'] } }`. Each message is committed in its own host transaction ' +
      '(`db.transaction(() => outbox.notify(…, { transaction: db }))`), yielding to the event loop after each commit, while the dispatcher runs; ' +
      'time runs from the first commit to the last `delivered` event (outcome written back). 500 messages of warm-up on the same outbox first. ' +
      'Latency: notify commit → request headers at the receiver (in the burst it includes the time queued behind earlier messages). ' +
      'Raw undici: the same JSON bodies and similar headers, 32 workers each awaiting `request()` and reading the body, one `Agent` (500 requests warm-up); ' +
      'latency there is request start → receipt.',
    table(deliveryHeaders, [
      rawRow('raw undici, Agent default connections (baseline, run 1)', raw1, base),
      rawRow('raw undici, Agent default connections (baseline, run 2)', raw2, base),
      rawRow('raw undici, Agent connections: 16', raw16, base),
      hookboxRow('Hookbox, defaults (connections per origin = concurrency = 32)', hb, base),
      hookboxRow('Hookbox, http.connectionsPerOrigin: 16', hb16, base),
    ]),
    'Dispatcher alone: the same N committed beforehand with `notifyMany` (a backlog, as after an outage), then `outbox.start()`; ' +
      'time runs from start to the last `delivered` event. Unlike the burst above, the producer does not share the event loop.',
    table(deliveryHeaders, [
      [
        'Hookbox, backlog drain',
        num(n),
        num(backlog.seconds, 2),
        num(backlog.perSecond),
        ratio(backlog.perSecond / base),
        '—',
        '—',
        '—',
        num(n),
      ],
    ]),
    `Paced latency (no backlog): 2,000 messages committed at 500/s, one per transaction.`,
    table(deliveryHeaders, [hookboxRow('Hookbox, paced 500 msg/s', paced, base)]),
  ]
  return { title: '2. Delivery throughput on SQLite: Hookbox vs raw undici', body: body.join('\n\n') }
}
