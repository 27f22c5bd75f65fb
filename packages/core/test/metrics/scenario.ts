import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteStore } from '@hookbox/store-sqlite'
import { policies, type ManualClock, type Outbox, type OutboxOptions } from '../../src/index.js'
import { TestReceiver, testOutbox } from '../../src/testing/conformance.js'

/** Fifteen minutes: the fixed policy's retry interval. */
export const RETRY_MS = 15 * 60_000

/** An outbox on a real SQLite file with a manual clock, and a receiver with three behaviours. */
export interface MetricsScenario {
  outbox: Outbox
  clock: ManualClock
  receiver: TestReceiver
  /** Notifies one event to each endpoint: `a.ok` (200), `a.flaky` (500, then 200), `a.bad` (400). */
  notifyAll(): Promise<void>
  cleanup(): Promise<void>
}

/**
 * Three endpoints in one `each` collection, each taking one event type: one acknowledges, one
 * fails once then acknowledges, one answers 400 (stop: dead letter).
 */
export async function metricsScenario(extra: Partial<OutboxOptions> = {}, query = ''): Promise<MetricsScenario> {
  const dir = mkdtempSync(join(tmpdir(), 'hookbox-metrics-'))
  const db = new Database(join(dir, 'app.db'))
  db.pragma('journal_mode = WAL')
  const receiver = await TestReceiver.start()
  receiver
    .on('/ok', 200)
    .on('/flaky', (_req, _res, n) => (n === 1 ? 500 : 200))
    .on('/bad', 400)
  const { outbox, clock } = testOutbox(sqliteStore({ database: db }), extra)
  await outbox.migrate()
  await outbox.collections.upsert({ name: 'events', events: ['a.*'], policy: policies.fixed() })
  for (const name of ['ok', 'flaky', 'bad'])
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/${name}${query}`, events: [`a.${name}`] })
  return {
    outbox,
    clock,
    receiver,
    async notifyAll() {
      await outbox.notifyMany(['ok', 'flaky', 'bad'].map((name) => ({ type: `a.${name}`, payload: { name } })))
    },
    async cleanup() {
      await outbox.close()
      await receiver.close()
      if (db.open) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
