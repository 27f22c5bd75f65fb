/**
 * The peer: the outbox a team would write on pg-boss 12 in an afternoon. A host transaction
 * updates a business row and enqueues with `boss.send(…, { db })` on its own pg client; the
 * queue has `notify: true` and the instance `useListenNotify`, so pg-boss's own transactional
 * `pg_notify` wakes the worker at commit. One `boss.work` (with `batchSize`,
 * `localConcurrency`, `burstWhenBatchFull`) POSTs every job of a batch at once through an
 * undici `Pool` to the receiver, with the same headers as Hookbox; pg-boss completes the batch
 * when the handler resolves. pg-boss 12 declares Node ≥ 22 but loads and runs on Node 20 here.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PgBoss, type Job } from 'pg-boss'
import { databaseUrl } from './hookbox.js'
import type { Receiver } from './receiver.js'
import { now, payloadFor, Pool, sleep } from './support.js'

const QUEUE = 'webhooks'

/** How many business rows the host transactions update (round robin). */
export const ACCOUNTS = 1000

interface JobData {
  id: string
  body: string
}

/** The worker's settings: the knobs the tuning searches. */
export interface PeerSettings {
  batchSize: number
  localConcurrency: number
  /** undici Pool connections to the receiver. */
  connections: number
  pollingIntervalSeconds: number
}

/** The settings issue 16 measured the peer with; the tuning starts here. */
export const PEER_START: PeerSettings = { batchSize: 100, localConcurrency: 4, connections: 64, pollingIntervalSeconds: 0.5 }

/** `batch 100 × 4 workers, 64 connections, poll 0.5 s`. */
export const peerLabel = (s: PeerSettings): string =>
  `batchSize ${s.batchSize}, localConcurrency ${s.localConcurrency}, ${s.connections} Pool connections, polling ${s.pollingIntervalSeconds} s`

export interface Peer {
  /** Commits one host transaction (BEGIN; UPDATE a business row; send; COMMIT) on `client`; the job's id. */
  produce(i: number, client: pg.PoolClient): Promise<string>
  /** The same host transaction without the enqueue. */
  bare(i: number, client: pg.PoolClient): Promise<void>
  /** The producers' pool (8 clients need 8 connections). */
  pool: pg.Pool
  /** Inserts `n` jobs in bulk (`boss.insert`), worker not running. */
  seed(n: number, startAt?: number): Promise<void>
  /** Starts one `work` with these settings; `noop` skips the POST. Resolves once polling. */
  work(s: PeerSettings & { noop?: boolean }): Promise<void>
  /** Jobs whose handler finished since the last reset, and when the last one did. */
  done(): { count: number; lastAt: number }
  reset(): void
  close(): Promise<void>
}

export async function openPeer(receiver: Receiver): Promise<Peer> {
  const url = databaseUrl()
  const schema = `pgboss_bench_${randomBytes(4).toString('hex')}`
  const pool = new pg.Pool({ connectionString: url, max: 12 })
  const boss = new PgBoss({
    connectionString: url,
    schema,
    max: 12,
    supervise: false,
    schedule: false,
    migrate: true,
    useListenNotify: true,
  })
  boss.on('error', (error) => console.error('pg-boss error', error))
  await boss.start()
  await boss.createQueue(QUEUE, { notify: true })
  await pool.query(`CREATE TABLE "${schema}".accounts (id int PRIMARY KEY, state text NOT NULL, version int NOT NULL DEFAULT 0)`)
  await pool.query(`INSERT INTO "${schema}".accounts (id, state) SELECT g, 'FAIL' FROM generate_series(1, ${ACCOUNTS}) g`)
  const update = `UPDATE "${schema}".accounts SET state = $1, version = version + 1 WHERE id = $2`
  const host = (i: number, client: pg.PoolClient) =>
    client.query({ name: 'peer_update', text: update, values: [i & 1 ? 'PASS' : 'FAIL', 1 + (i % ACCOUNTS)] })
  let http: InstanceType<typeof Pool> | null = null
  let count = 0
  let lastAt = 0
  const post = async (job: Job<JobData>) => {
    const res = await http!.request({
      path: '/pgboss',
      method: 'POST',
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
    pool,
    async produce(i, client) {
      const id = `pgb_${i}_${++seq}`
      try {
        await client.query('BEGIN')
        await host(i, client)
        const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) }
        await boss.send(QUEUE, { id, body: JSON.stringify(payloadFor(i)) }, { db })
        await client.query('COMMIT')
        return id
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    },
    async bare(i, client) {
      await client.query('BEGIN')
      await host(i, client)
      await client.query('COMMIT')
    },
    async seed(n, startAt = 0) {
      for (let i = 0; i < n; i += 1000)
        await boss.insert(
          QUEUE,
          Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
            data: { id: `pgb_seed_${startAt + i + k}`, body: JSON.stringify(payloadFor(i + k)) },
          })),
        )
    },
    async work({ noop, connections, ...s }) {
      http = new Pool(receiver.url, { connections, keepAliveTimeout: 10_000 })
      await boss.work<JobData>(QUEUE, { ...s, burstWhenBatchFull: true }, async (jobs) => {
        if (!noop) await Promise.all(jobs.map(post))
        count += jobs.length
        lastAt = now()
      })
      await sleep(50)
    },
    done: () => ({ count, lastAt }),
    reset() {
      count = 0
      lastAt = 0
    },
    async close() {
      await boss.stop({ graceful: true, timeout: 5000 }).catch(() => undefined)
      await http?.close()
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
    await sleep(5)
  }
  return { lastAt: peer.done().lastAt }
}
