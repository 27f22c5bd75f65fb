/**
 * The peer: an outbox built on pg-boss 10 (the last line that runs on Node 20; 11+ needs
 * Node 22). The host transaction enqueues with `boss.send(…, { db })` on its own pg client,
 * plus `pg_notify` so workers wake on commit (pg-boss 10 itself only polls, at most every
 * 0.5 s). Workers (`boss.work` with `batchSize`) POST each job with undici to the same
 * receiver, with the same headers as Hookbox; pg-boss marks the batch complete afterwards.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import PgBoss from 'pg-boss'
import { databaseUrl } from './hookbox.js'
import type { Receiver } from './receiver.js'
import { Agent, now, payloadFor, request, sleep } from './support.js'

const QUEUE = 'webhooks'

interface JobData {
  id: string
  body: string
}

export interface Peer {
  /** Commits one job in a host transaction (BEGIN; send; pg_notify; COMMIT); its id. */
  produce(i: number): Promise<string>
  /** Inserts `n` jobs in bulk (`boss.insert`), workers not running. */
  seed(n: number, startAt?: number): Promise<void>
  /** Starts `workers` workers of `batchSize`; `noop` skips the POST. Resolves once polling. */
  work(o: { workers: number; batchSize: number; noop?: boolean }): Promise<void>
  /** Jobs whose handler finished since the last reset, and when the last one did. */
  done(): { count: number; lastAt: number }
  reset(): void
  close(): Promise<void>
}

export async function openPeer(receiver: Receiver): Promise<Peer> {
  const url = databaseUrl()
  const schema = `pgboss_bench_${randomBytes(4).toString('hex')}`
  const channel = `${schema}_wake`
  const pool = new pg.Pool({ connectionString: url, max: 12 })
  const boss = new PgBoss({ connectionString: url, schema, max: 12, supervise: false, schedule: false, migrate: true })
  boss.on('error', (error) => console.error('pg-boss error', error))
  await boss.start()
  await boss.createQueue(QUEUE)
  const agent = new Agent({ keepAliveTimeout: 10_000 })
  const target = `${receiver.url}/pgboss`
  const listener = new pg.Client({ connectionString: url })
  await listener.connect()
  const workerIds: string[] = []
  listener.on('notification', () => {
    for (const id of workerIds) boss.notifyWorker(id)
  })
  await listener.query(`LISTEN "${channel}"`)
  let count = 0
  let lastAt = 0
  const post = async (job: PgBoss.Job<JobData>) => {
    const res = await request(target, {
      method: 'POST',
      dispatcher: agent,
      body: job.data.body,
      headers: {
        'user-agent': 'pgboss-peer',
        'content-type': 'application/json',
        'webhook-id': job.data.id,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-hookbox-event-type': 'entity.state_changed',
      },
    })
    await res.body.text()
    if (res.statusCode !== 200) throw new Error(`receiver answered ${res.statusCode}`)
  }
  let seq = 0
  return {
    async produce(i) {
      const id = `pgb_${i}_${++seq}`
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) }
        await boss.send(QUEUE, { id, body: JSON.stringify(payloadFor(i)) }, { db })
        await client.query(`SELECT pg_notify($1, '')`, [channel])
        await client.query('COMMIT')
        return id
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    async seed(n, startAt = 0) {
      for (let i = 0; i < n; i += 1000)
        await boss.insert(
          Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
            name: QUEUE,
            data: { id: `pgb_seed_${startAt + i + k}`, body: JSON.stringify(payloadFor(i + k)) },
          })),
        )
    },
    async work({ workers, batchSize, noop }) {
      for (let w = 0; w < workers; w++) {
        const id: string = await boss.work<JobData>(QUEUE, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          if (!noop) await Promise.all(jobs.map(post))
          count += jobs.length
          lastAt = now()
          // A full batch: fetch again at once instead of sleeping out the polling interval.
          if (jobs.length === batchSize) boss.notifyWorker(id)
        })
        workerIds.push(id)
      }
      await sleep(50)
    },
    done: () => ({ count, lastAt }),
    reset() {
      count = 0
      lastAt = 0
    },
    async close() {
      await listener.end().catch(() => undefined)
      await boss.stop({ graceful: true, wait: true, timeout: 5000 }).catch(() => undefined)
      await agent.close()
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
      await pool.end()
    },
  }
}

/** Waits until the peer's handlers have finished `n` jobs since the last reset. */
export async function peerDone(peer: Peer, n: number, timeoutMs = 120_000): Promise<{ lastAt: number }> {
  const deadline = Date.now() + timeoutMs
  while (peer.done().count < n) {
    if (Date.now() > deadline) throw new Error(`pg-boss peer: only ${peer.done().count} of ${n} jobs done within ${timeoutMs / 1000} s`)
    await sleep(10)
  }
  return { lastAt: peer.done().lastAt }
}
