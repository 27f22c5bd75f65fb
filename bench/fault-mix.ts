/**
 * Fault mix on Postgres: 3 dispatchers (one process, a pool each) against one receiver that
 * answers 500 to 30% of requests, never answers 5% (they time out), resets the connection on 5%
 * and answers 200 to the rest; requests/s it gets, against the same receiver healthy. Also with
 * the breaker holding attempts (`whilePaused: 'wait'`), which must keep at least half of the
 * breaker-off figure (a flaky receiver at 60% success is alive).
 */
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createOutbox, policies, type Outbox } from '../packages/core/src/index.js'
import { postgresStore } from '../packages/store-postgres/src/index.js'
import pg from 'pg'
import { dropTarget, newTarget, type Target } from './hookbox.js'
import { num, payloadFor, quick, ratio, sleep, table, verdict, type Figure, type Result } from './support.js'

/** Shares of requests that fail each way (the rest answer 200). */
const FAULTS = { status500: 0.3, hang: 0.05, reset: 0.05 }
const DISPATCHERS = 3
const TIMEOUT_MS = 1_000

interface FaultyReceiver {
  url: string
  /** Requests received since the last reset. */
  count: number
  faulty: boolean
  close(): Promise<void>
}

async function startFaultyReceiver(): Promise<FaultyReceiver> {
  const sockets = new Set<Socket>()
  const hanging = new Set<ServerResponse>()
  const r: FaultyReceiver = { url: '', count: 0, faulty: false, close: async () => undefined }
  const server = createServer((req, res) => {
    r.count++
    req.resume()
    req.on('end', () => {
      const roll = r.faulty ? Math.random() : 1
      if (roll < FAULTS.status500) return void res.writeHead(500).end('no')
      if (roll < FAULTS.status500 + FAULTS.hang) return void hanging.add(res)
      if (roll < FAULTS.status500 + FAULTS.hang + FAULTS.reset) return void req.socket.destroy()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  server.keepAliveTimeout = 30_000
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  r.close = async () => {
    for (const s of sockets) s.destroy()
    hanging.clear()
    await new Promise<void>((done) => server.close(() => done()))
  }
  return r
}

/** Requests/s the receiver gets from 3 dispatchers over `windowMs`, with a backlog that outlasts it. */
async function measure(receiver: FaultyReceiver, mode: { faulty: boolean; breaker: boolean }, n: number, windowMs: number) {
  const t: Target = newTarget('postgres')
  const pools: pg.Pool[] = []
  const boxes: Outbox[] = []
  try {
    const open = (dispatcher = true) => {
      const pool = new pg.Pool({ connectionString: t.url, max: 4 })
      pool.on('error', () => undefined)
      pools.push(pool)
      const outbox = createOutbox({
        store: postgresStore({ pool, schema: t.schema! }),
        http: { allowHttp: true },
        security: { ssrf: { allow: ['127.0.0.1'] } },
        dispatcher: { concurrency: 32 },
        ...(mode.breaker ? {} : { health: { breaker: false as const } }),
      })
      if (dispatcher) boxes.push(outbox)
      return outbox
    }
    const producer = open(false)
    await producer.migrate()
    // Fast retries, so failed deliveries come back within the window.
    const policy = policies.schedule(Array(50).fill(200), { timeoutMs: TIMEOUT_MS, ...(mode.breaker && { whilePaused: 'wait' as const }) })
    await producer.collections.upsert({ name: 'faults', policy })
    await producer.endpoints.create({ collection: 'faults', url: receiver.url })
    for (let i = 0; i < n; i += 100)
      await producer.notifyMany(
        Array.from({ length: Math.min(100, n - i) }, (_, k) => ({ type: 'entity.state_changed', payload: payloadFor(i + k) })),
      )
    await producer.close()
    for (let i = 0; i < DISPATCHERS; i++) open()
    receiver.faulty = mode.faulty
    receiver.count = 0
    const started = performance.now()
    for (const b of boxes) b.start()
    // Until the window ends, or the backlog is sent (a healthy receiver may finish first).
    while (performance.now() - started < windowMs && receiver.count < n) await sleep(20)
    const count = receiver.count
    const perSecond = count / ((performance.now() - started) / 1000)
    let delivered = 0
    const r = await pools[0]!.query(`SELECT count(*)::int AS n FROM "${t.schema}".deliveries WHERE state = 'delivered'`)
    delivered = r.rows[0].n as number
    return { perSecond, requests: count, delivered }
  } finally {
    await Promise.all(boxes.map((b) => b.close({ timeout: 2_000 }).catch(() => undefined)))
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)))
    await dropTarget(t)
  }
}

export async function faultMixBench(): Promise<Result> {
  const n = quick ? 4_000 : 8_000
  const windowMs = quick ? 5_000 : 10_000
  const receiver = await startFaultyReceiver()
  try {
    const healthy = await measure(receiver, { faulty: false, breaker: false }, n, windowMs)
    const off = await measure(receiver, { faulty: true, breaker: false }, n, windowMs)
    const on = await measure(receiver, { faulty: true, breaker: true }, n, windowMs)
    const kept = on.perSecond / off.perSecond
    const figures: Figure[] = [
      {
        id: 'postgres.faultmix',
        what: 'Fault mix (30% 500, 5% hang, 5% reset), 3 dispatchers on Postgres',
        value: off.perSecond,
        unit: 'requests/s',
        baseline: { name: 'same receiver healthy', value: healthy.perSecond },
        ratio: off.perSecond / healthy.perSecond,
        target: 'none (reported)',
        met: null,
      },
      {
        id: 'postgres.faultmix.breaker',
        what: "Fault mix with the breaker holding attempts (whilePaused: 'wait')",
        value: on.perSecond,
        unit: 'requests/s',
        baseline: { name: 'breaker off', value: off.perSecond },
        ratio: kept,
        target: '≥ 0.5× breaker off',
        met: kept >= 0.5,
      },
    ]
    const body = [
      `${num(n)} notifies committed, then ${DISPATCHERS} dispatchers (one process, concurrency 32 and a pool of 4 each) start on one schema and send for ${windowMs / 1000} s (or until all are sent) ` +
        `to one endpoint (timeout ${TIMEOUT_MS} ms, retries every 200 ms); requests/s the receiver got (in this process: hangs must be held open). ` +
        `Faulty: ${FAULTS.status500 * 100}% answered 500, ${FAULTS.hang * 100}% never answered, ${FAULTS.reset * 100}% reset; the breaker row keeps ${ratio(kept)} of breaker off → ${verdict(kept >= 0.5)}.`,
      table(
        ['receiver', 'breaker', 'requests/s', 'vs healthy', 'requests', 'delivered in the window'],
        [
          ['healthy', 'off', num(healthy.perSecond), ratio(1), num(healthy.requests), num(healthy.delivered)],
          ['fault mix', 'off', num(off.perSecond), ratio(off.perSecond / healthy.perSecond), num(off.requests), num(off.delivered)],
          [
            'fault mix',
            "on (whilePaused: 'wait')",
            num(on.perSecond),
            ratio(on.perSecond / healthy.perSecond),
            num(on.requests),
            num(on.delivered),
          ],
        ],
      ),
    ]
    return { title: 'Fault mix on Postgres', body: body.join('\n\n'), figures, data: { healthy, off, on } }
  } finally {
    await receiver.close()
  }
}
