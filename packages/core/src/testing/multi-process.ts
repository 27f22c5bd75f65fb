import { AssertionError } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOutbox, type Store } from '../index.js'
import { expandOnce } from './fixtures.js'
import { TestReceiver } from './receiver.js'
import { eventually } from './wait.js'

const MESSAGES = 5_000
const WORKERS = 3
const CONCURRENCY = 16
const LEASE_MS = 2_000

/** One fresh database for {@link describeMultiProcess}, made by the store's test. */
export interface MultiProcessDatabase {
  /** The store under test on it, for the parent's set-up and checks. */
  store: Store
  /** The environment that points a worker's store at this database (merged over `process.env`). */
  env: Record<string, string>
  /** How many deliveries match `where` (plain SQL on the store's deliveries table). */
  countDeliveries(where: string): Promise<number>
  /** Runs once the first half is expanded, before the workers start (Postgres: ANALYZE). */
  afterExpand?(): Promise<void>
  /** Drops the database and ends its pool. */
  drop(): Promise<void>
}

/** A store's multi-process run: its worker script and how to make a database for it. */
export interface MultiProcessTarget {
  /** Prefixes the test's title and its log line. */
  name: string
  /** A script that calls {@link runDispatcherWorker} with the store under test, run with tsx. */
  workerScript: string
  /** Where the workers run (the workspace root, so that tsx resolves); default: the current directory. */
  cwd?: string
  /** Makes the fresh database. */
  createDatabase(): Promise<MultiProcessDatabase>
  /** How long the whole test may take; default 90 s. */
  timeoutMs?: number
}

/**
 * Three dispatcher processes on one database, one SIGKILLed mid-run: every one of 5,000
 * messages is delivered, the survivors take over the dead worker's leases, and at most what the
 * killed worker had sent and not written back is sent twice: its attempts in flight (its
 * concurrency) and the outcomes waiting for their write-back (as many again). Half the messages are
 * expanded by the parent; the other half is left for the three workers to expand concurrently.
 */
export function describeMultiProcess(target: MultiProcessTarget): void {
  let database: MultiProcessDatabase | undefined
  let receiver: TestReceiver | undefined
  const workers: ChildProcess[] = []

  const startWorker = (db: MultiProcessDatabase): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--conditions=hookbox-source', '--import', 'tsx', target.workerScript], {
      cwd: target.cwd ?? process.cwd(),
      env: { ...process.env, ...db.env, WORKER_CONCURRENCY: String(CONCURRENCY), WORKER_LEASE_MS: String(LEASE_MS) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    workers.push(child)
    return new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new AssertionError({ message: `worker exited early with ${code}` })))
      child.on('message', (m: { ready?: boolean }) => {
        if (m.ready) resolve(child)
      })
    })
  }

  beforeAll(async () => {
    database = await target.createDatabase()
    // A receiver that takes a few ms, so each worker has a full window of attempts in flight.
    receiver = (await TestReceiver.start()).on('*', () => new Promise((r) => setTimeout(() => r(200), 3)))
  })

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM')
    await Promise.all(workers.map(exited))
    await receiver?.close()
    await database?.drop()
  })

  describe(`${target.name}: three dispatcher processes, one killed`, () => {
    it("delivers every message; the survivors take over the dead worker's leases", { timeout: target.timeoutMs ?? 90_000 }, async () => {
      const started = Date.now()
      const db = database!
      const received = receiver!.requests
      const admin = createOutbox({ store: db.store, http: { allowHttp: true }, security: { ssrf: { allow: ['127.0.0.1'] } } })
      await admin.migrate()
      await admin.collections.upsert({ name: 'main' })
      await admin.endpoints.create({ collection: 'main', url: `${receiver!.url}/hook` })
      const ids = new Set<string>()
      const notify = async (from: number, to: number) => {
        for (let i = from; i < to; i += 500) {
          const batch = Array.from({ length: 500 }, (_, j) => ({ type: 'load.test', payload: { n: i + j } }))
          for (const r of await admin.notifyMany(batch)) ids.add(r.messageId)
        }
      }
      await notify(0, MESSAGES / 2)
      while ((await expandOnce(db.store, { limit: 500, now: Date.now() })) > 0);
      await db.afterExpand?.()
      await notify(MESSAGES / 2, MESSAGES)
      expect(ids.size).toBe(MESSAGES)

      const setupMs = Date.now() - started
      const [victim] = await Promise.all(Array.from({ length: WORKERS }, () => startWorker(db)))
      let victimDelivered = 0
      victim!.on('message', (m: { delivered?: number }) => (victimDelivered = m.delivered ?? victimDelivered))
      await eventually(() => received.length >= 1_500 && victimDelivered >= 100, 30_000)
      const workersUpMs = Date.now() - started
      victim!.kill('SIGKILL')
      await exited(victim!)
      const leased = await db.countDeliveries('lease_token IS NOT NULL')
      const killedAt = received.length

      await eventually(async () => (await db.countDeliveries("state = 'delivered'")) === MESSAGES, 60_000, 200)

      const seen = new Map<string, number>()
      for (const r of received) seen.set(String(r.headers['webhook-id']), (seen.get(String(r.headers['webhook-id'])) ?? 0) + 1)
      const duplicates = received.length - seen.size
      console.log(
        `${target.name} multi-process: ${MESSAGES} messages, ${received.length} requests, ${duplicates} duplicates ` +
          `(killed after ${killedAt} requests with ${leased} leases outstanding); setup ${setupMs} ms, kill at ${workersUpMs} ms, total ${Date.now() - started} ms`,
      )
      for (const id of ids) expect(seen.has(id), `message ${id} never arrived`).toBe(true)
      expect(seen.size).toBe(MESSAGES)
      expect(await db.countDeliveries("state <> 'delivered'")).toBe(0)
      expect(duplicates).toBeLessThanOrEqual(2 * CONCURRENCY)
      await admin.close()
    })
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((r) => child.once('exit', () => r()))
}
