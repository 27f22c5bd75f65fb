/**
 * Benchmark 1 — what `outbox.notify()` costs a host transaction on SQLite.
 *
 * A real database file in WAL mode, host table `accounts` (1,000 rows). Each transaction
 * UPDATEs one row and commits; variants add `outbox.notify(…, { transaction: db })`, or a raw
 * INSERT of an equivalent row into a table with exactly the DDL (columns and indexes) of
 * `hookbox_messages`, the baseline for notify itself. The dispatcher is not started, so only
 * the write path is measured. Then `notifyMany(100)` vs one 100-row INSERT statement.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOutbox, newId } from '../packages/core/src/index.js'
import { sqliteStore } from '../packages/store-sqlite/src/index.js'
import { gc, num, payloadFor, ratio, table, type Section } from './support.js'

type Sync = 'NORMAL' | 'FULL'

/** Runs `op` back to back for `ms`; returns operations per second. */
function rate(op: (i: number) => void, ms: number, start: number): number {
  gc()
  let i = start
  let n = 0
  const started = performance.now()
  const until = started + ms
  let t = started
  while (t < until) {
    for (let k = 0; k < 32; k++) op(i++)
    n += 32
    t = performance.now()
  }
  return n / ((t - started) / 1000)
}

/**
 * Measures variants in interleaved rounds (A B C A B C …, after a warm-up of each), so that
 * drift (WAL growth, checkpoints, CPU frequency) hits every variant alike; reports the median.
 */
function compare(variants: Array<[string, (i: number) => void]>, ms: number, rounds: number): Array<[string, number]> {
  let i = 0
  for (const [, op] of variants) {
    const warmUntil = performance.now() + Math.min(300, ms / rounds)
    while (performance.now() < warmUntil) for (let k = 0; k < 32; k++) op(i++)
  }
  const samples = variants.map(() => [] as number[])
  for (let r = 0; r < rounds; r++)
    variants.forEach(([, op], v) => {
      samples[v]!.push(rate(op, ms / rounds, i))
      i += 1_000_000
    })
  return variants.map(([name], v) => [name, median(samples[v]!)])
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/** The DDL of hookbox_messages (table and indexes), renamed to `raw_messages`. */
function cloneMessagesTable(db: Database.Database): void {
  const rows = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'hookbox_messages' AND sql IS NOT NULL").all() as Array<{ sql: string }>
  for (const { sql } of rows) db.exec(sql.replaceAll('hookbox_messages', 'raw_messages'))
}

async function measure(sync: Sync, ms: number, rounds: number): Promise<{ single: Array<[string, number]>; batch: Array<[string, number]> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hookbox-bench-'))
  const db = new Database(join(dir, 'app.db'))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${sync}`)
    db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0)')
    db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO accounts (id, state) SELECT i, 'FAIL' FROM n")
    const outbox = createOutbox({ store: sqliteStore({ database: db }) })
    await outbox.migrate()
    cloneMessagesTable(db)

    const update = db.prepare('UPDATE accounts SET state = ?, version = version + 1 WHERE id = ?')
    const rawInsert = db.prepare(
      'INSERT INTO raw_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const state = (i: number) => (i & 1 ? 'PASS' : 'FAIL')
    const id = (i: number) => 1 + (i % 1000)
    const event = (i: number) => ({ type: 'entity.state_changed', payload: payloadFor(i) })
    const rawRow = (i: number) => {
      const mid = newId()
      return [mid, 'entity.state_changed', JSON.stringify(payloadFor(i)), mid, null, null, null, Date.now()]
    }

    const hostOnly = db.transaction((i: number) => {
      update.run(state(i), id(i))
    })
    const hostRaw = db.transaction((i: number) => {
      update.run(state(i), id(i))
      rawInsert.run(...rawRow(i))
    })
    const hostNotify = db.transaction((i: number) => {
      update.run(state(i), id(i))
      outbox.notify(event(i), { transaction: db })
    })
    const single = compare(
      [
        ['host tx only (UPDATE + commit)', (i) => hostOnly(i)],
        ['host tx + raw INSERT of an equivalent row', (i) => hostRaw(i)],
        ['host tx + outbox.notify()', (i) => hostNotify(i)],
      ],
      ms,
      rounds,
    )

    const BATCH = 100
    const multi = db.prepare(
      `INSERT INTO raw_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at) VALUES ${Array(BATCH).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    )
    const rawMany = db.transaction((i: number) => {
      const params: unknown[] = []
      for (let k = 0; k < BATCH; k++) params.push(...rawRow(i * BATCH + k))
      multi.run(...params)
    })
    const notifyMany = db.transaction((i: number) => {
      const events = []
      for (let k = 0; k < BATCH; k++) events.push(event(i * BATCH + k))
      outbox.notifyMany(events, { transaction: db })
    })
    const batch = compare(
      [
        [`${BATCH} raw INSERTs in one statement`, (i) => rawMany(i)],
        [`outbox.notifyMany(${BATCH})`, (i) => notifyMany(i)],
      ],
      ms,
      rounds,
    )
    await outbox.close()
    return { single, batch }
  } finally {
    if (db.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs benchmark 1 and returns its section of BENCHMARKS.md. */
export async function sqliteNotifyBench(options: { ms?: number } = {}): Promise<Section> {
  const ms = options.ms ?? 2500
  const parts: string[] = []
  parts.push(
    `Real database file in a fresh temp directory, \`journal_mode=WAL\`; host table of 1,000 rows; each variant is warmed up, then the variants run back to back in 5 interleaved rounds of ${ms / 5000} s each (${ms / 1000} s per variant, forced GC before each round); the table shows the median round. ` +
      'The dispatcher is not running (write path only). The raw INSERT goes into a copy of `hookbox_messages` (same columns and indexes) with a fresh ULID and the same JSON payload; it is a prepared statement reused across transactions.',
  )
  for (const sync of ['NORMAL', 'FULL'] as const) {
    const m = await measure(sync, ms, 5)
    const base = m.single[0]![1]
    const raw = m.single[1]![1]
    const notify = m.single[2]![1]
    const extraUs = (r: number) => 1e6 / r - 1e6 / base
    parts.push(`### synchronous=${sync}${sync === 'FULL' ? ' (fsync on every commit)' : ' (the usual WAL setting)'}`)
    parts.push(
      table(
        ['variant', 'tx/s', 'µs per tx', 'added µs vs host tx', 'ratio vs host tx only', 'ratio vs raw INSERT'],
        m.single.map(([name, r]) => [name, num(r), num(1e6 / r, 1), r === base ? '—' : num(extraUs(r), 1), ratio(r / base), ratio(r / raw)]),
      ),
    )
    parts.push(
      `notify adds ${num(extraUs(notify), 1)} µs to a transaction where a hand-written INSERT of the same row adds ${num(extraUs(raw), 1)} µs ` +
        `(notify costs ${ratio(extraUs(notify) / extraUs(raw))} the raw INSERT's added time).`,
    )
    const rawMany = m.batch[0]![1]
    parts.push(
      table(
        ['variant (one transaction each)', 'batches/s', 'events/s', 'µs per event', 'ratio vs raw'],
        m.batch.map(([name, r]) => [name, num(r), num(r * 100), num(1e6 / (r * 100), 2), ratio(r / rawMany)]),
      ),
    )
  }
  return { title: '1. SQLite: what notify costs a host transaction', body: parts.join('\n\n') }
}
