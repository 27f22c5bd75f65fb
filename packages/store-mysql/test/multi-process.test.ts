import { createOutbox } from '@hookbox/core'
import { eventually, expandOnce, TestReceiver } from '@hookbox/core/testing'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

const MESSAGES = 5_000
const WORKERS = 3
const CONCURRENCY = 16
const LEASE_MS = 2_000
const workerScript = fileURLToPath(new URL('./fixtures/dispatcher-worker.ts', import.meta.url))
const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url))

const databases = testDatabases('hb_multi')
let database: string
let receiver: TestReceiver
const workers: ChildProcess[] = []

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=hookbox-source', '--import', 'tsx', workerScript], {
    cwd: workspaceRoot,
    env: {
      ...process.env,
      MYSQL_URL: mysqlUrl,
      HOOKBOX_DATABASE: database,
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
  database = await databases.create()
  // A receiver that takes a few ms, so each worker has a full window of attempts in flight.
  receiver = (await TestReceiver.start()).on('*', () => new Promise((r) => setTimeout(() => r(200), 3)))
})

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM')
  await Promise.all(workers.map(exited))
  await receiver?.close()
  await databases.end()
})

describe('mysql: three dispatcher processes, one killed', () => {
  it("delivers every message; the survivors take over the dead worker's leases", { timeout: 90_000 }, async () => {
    const started = Date.now()
    const store = mysqlStore({ pool: databases.pool, database })
    const admin = createOutbox({ store, http: { allowHttp: true }, security: { ssrf: { allow: ['127.0.0.1'] } } })
    const count = async (where: string) => {
      const [rows] = await databases.pool.promise().query(`SELECT count(*) AS n FROM \`${database}\`.hookbox_deliveries WHERE ${where}`)
      return Number((rows as Array<{ n: number }>)[0]!.n)
    }
    await admin.migrate()
    await admin.collections.upsert({ name: 'main' })
    await admin.endpoints.create({ collection: 'main', url: `${receiver.url}/hook` })
    const ids = new Set<string>()
    const notify = async (from: number, to: number) => {
      for (let i = from; i < to; i += 500) {
        const batch = Array.from({ length: 500 }, (_, j) => ({ type: 'load.test', payload: { n: i + j } }))
        for (const r of await admin.notifyMany(batch)) ids.add(r.messageId)
      }
    }
    // Half the messages are expanded here; the other half is left for the three workers to
    // expand concurrently (SKIP LOCKED on the messages).
    await notify(0, MESSAGES / 2)
    while ((await expandOnce(store, { limit: 500, now: Date.now() })) > 0);
    await notify(MESSAGES / 2, MESSAGES)
    expect(ids.size).toBe(MESSAGES)

    const setupMs = Date.now() - started
    const [victim] = await Promise.all(Array.from({ length: WORKERS }, () => startWorker()))
    let victimDelivered = 0
    victim!.on('message', (m: { delivered?: number }) => (victimDelivered = m.delivered ?? victimDelivered))
    await eventually(() => receiver.requests.length >= 1_500 && victimDelivered >= 100, 30_000)
    const workersUpMs = Date.now() - started
    victim!.kill('SIGKILL')
    await exited(victim!)
    const leased = await count('lease_token IS NOT NULL')
    const killedAt = receiver.requests.length

    await eventually(async () => (await count("state = 'delivered'")) === MESSAGES, 60_000, 200)

    const seen = new Map<string, number>()
    for (const r of receiver.requests) seen.set(String(r.headers['webhook-id']), (seen.get(String(r.headers['webhook-id'])) ?? 0) + 1)
    const duplicates = receiver.requests.length - seen.size
    console.log(
      `mysql multi-process: ${MESSAGES} messages, ${receiver.requests.length} requests, ${duplicates} duplicates ` +
        `(killed after ${killedAt} requests with ${leased} leases outstanding); setup ${setupMs} ms, kill at ${workersUpMs} ms, total ${Date.now() - started} ms`,
    )
    for (const id of ids) expect(seen.has(id), `message ${id} never arrived`).toBe(true)
    expect(seen.size).toBe(MESSAGES)
    expect(await count("state <> 'delivered'")).toBe(0)
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY)
    await admin.close()
  })
})
