import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createOutbox } from '@hookbox/core'
import { expandOnce } from '@hookbox/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { databaseUrl, eventually, startReceiver, testSchema, type Receiver } from './helpers.js'

const MESSAGES = 5_000
const WORKERS = 3
const CONCURRENCY = 16
const LEASE_MS = 2_000
const workerScript = fileURLToPath(new URL('./fixtures/dispatcher-worker.ts', import.meta.url))
const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url))

const t = testSchema('hb_multi')
let receiver: Receiver
const workers: ChildProcess[] = []

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=hookbox-source', '--import', 'tsx', workerScript], {
    cwd: workspaceRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOOKBOX_SCHEMA: t.schema,
      WORKER_CONCURRENCY: String(CONCURRENCY),
      WORKER_LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  workers.push(child)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)))
    child.on('message', (m: { ready?: boolean }) => {
      if (m.ready) resolve(child)
    })
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((r) => child.once('exit', () => r()))
}

beforeAll(async () => {
  // A receiver that takes a few ms, so each worker has a full window of attempts in flight.
  receiver = await startReceiver((_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 3))
})

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM')
  await Promise.all(workers.map(exited))
  await receiver?.close()
  await t.drop()
})

describe('three dispatcher processes, one killed', () => {
  it("delivers every message; the survivors take over the dead worker's leases", { timeout: 60_000 }, async () => {
    const started = Date.now()
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    const admin = createOutbox({ store, http: { allowHttp: true }, security: { ssrf: { allow: ['127.0.0.1'] } } })
    await admin.migrate()
    await admin.collections.upsert({ name: 'main' })
    await admin.endpoints.create({ collection: 'main', url: receiver.url })
    const ids = new Set<string>()
    const notify = async (from: number, to: number) => {
      for (let i = from; i < to; i += 500) {
        const batch = Array.from({ length: 500 }, (_, j) => ({ type: 'load.test', payload: { n: i + j } }))
        for (const r of await admin.notifyMany(batch)) ids.add(r.messageId)
      }
    }
    // Half the messages are expanded here and the tables analysed, as autovacuum would have
    // done on a live system (a never-analysed table gets a sort-everything claim plan); the
    // other half is left for the three workers to expand concurrently.
    await notify(0, MESSAGES / 2)
    while ((await expandOnce(store, { limit: 500, now: Date.now() })) > 0);
    await t.pool.query(`ANALYZE "${t.schema}".messages; ANALYZE "${t.schema}".deliveries`)
    await notify(MESSAGES / 2, MESSAGES)
    expect(ids.size).toBe(MESSAGES)

    const setupMs = Date.now() - started
    const [victim] = await Promise.all(Array.from({ length: WORKERS }, () => startWorker()))
    let victimDelivered = 0
    victim!.on('message', (m: { delivered?: number }) => (victimDelivered = m.delivered ?? victimDelivered))
    await eventually(() => receiver.received.length >= 1_500 && victimDelivered >= 100, 30_000)
    const workersUpMs = Date.now() - started
    victim!.kill('SIGKILL')
    await exited(victim!)
    const { rows: leased } = await t.pool.query(`SELECT count(*)::int AS n FROM "${t.schema}".deliveries WHERE lease_token IS NOT NULL`)
    const killedAt = receiver.received.length

    const delivered = async () =>
      (await t.pool.query(`SELECT count(*)::int AS n FROM "${t.schema}".deliveries WHERE state = 'delivered'`)).rows[0].n as number
    await eventually(async () => (await delivered()) === MESSAGES, 40_000, 200)

    const seen = new Map<string, number>()
    for (const r of receiver.received) seen.set(r.webhookId, (seen.get(r.webhookId) ?? 0) + 1)
    const duplicates = receiver.received.length - seen.size
    console.log(
      `multi-process: ${MESSAGES} messages, ${receiver.received.length} requests, ${duplicates} duplicates ` +
        `(killed after ${killedAt} requests with ${leased[0].n} leases outstanding); setup ${setupMs} ms, kill at ${workersUpMs} ms, total ${Date.now() - started} ms`,
    )
    for (const id of ids) expect(seen.has(id), `message ${id} never arrived`).toBe(true)
    expect(seen.size).toBe(MESSAGES)
    const { rows } = await t.pool.query(`SELECT state, count(*)::int AS n FROM "${t.schema}".deliveries GROUP BY state`)
    expect(rows).toEqual([{ state: 'delivered', n: MESSAGES }])
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY)
    await admin.close()
  })
})
