/**
 * What `notify` costs a host transaction: one connection loops a host transaction (UPDATE one
 * of 1,000 rows; COMMIT), bare, with one hand-written INSERT of an equivalent row into a copy
 * of the messages table (same columns and indexes, fresh ULID, same JSON payload, prepared
 * statement on the same connection), and with `outbox.notify(…, { transaction })`. The
 * dispatcher is not running. Variants interleave in rounds; the median round counts.
 */
import { newId } from '../packages/core/src/index.js'
import { dropTarget, newTarget, openOutbox, storeName, type Box, type StoreKind } from './hookbox.js'
import { gc, num, payloadFor, quick, ratio, stat, table, verdict, type Figure, type Result } from './support.js'

/** One operation of a variant (the i-th). */
export type Op = (i: number) => unknown
const event = (i: number) => ({ type: 'entity.state_changed', payload: payloadFor(i) })
const rawRow = (i: number) => {
  const id = newId()
  return [id, 'entity.state_changed', JSON.stringify(payloadFor(i)), id, null, null, null, Date.now()]
}

/** µs per op over `ms` of back-to-back calls. */
async function usPerOp(op: Op, ms: number, start: number): Promise<number> {
  gc()
  let i = start
  const t0 = performance.now()
  while (performance.now() - t0 < ms) for (let k = 0; k < 16; k++) await op(i++)
  return ((performance.now() - t0) * 1000) / (i - start)
}

/** Median µs per op of each variant over `rounds` interleaved rounds of `ms` (after a warm-up). */
export async function compare(variants: Op[], ms: number, rounds: number): Promise<number[]> {
  let i = 0
  for (const op of variants) i += (await usPerOp(op, Math.min(300, ms), i)) > 0 ? 100_000 : 0
  const samples = variants.map(() => [] as number[])
  for (let r = 0; r < rounds; r++)
    for (const [v, op] of variants.entries()) {
      samples[v]!.push(await usPerOp(op, ms, i))
      i += 100_000
    }
  return samples.map((s) => stat(s).median)
}

async function measure(kind: StoreKind, ms: number, rounds: number): Promise<number[]> {
  const t = newTarget(kind)
  const box = await openOutbox(t)
  try {
    await box.outbox.migrate()
    if (kind === 'sqlite') {
      const db = box.sqlite!
      db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0)')
      db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO accounts (id, state) SELECT i, 'FAIL' FROM n",
      )
      const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'hookbox_messages' AND sql IS NOT NULL").all() as Array<{
        sql: string
      }>
      for (const { sql } of ddl) db.exec(sql.replaceAll('hookbox_messages', 'raw_messages'))
      const update = db.prepare('UPDATE accounts SET state = ?, version = version + 1 WHERE id = ?')
      const insert = db.prepare(
        'INSERT INTO raw_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      const host = (i: number) => update.run(i & 1 ? 'PASS' : 'FAIL', 1 + (i % 1000))
      const bare = db.transaction((i: number) => host(i))
      const raw = db.transaction((i: number) => (host(i), insert.run(...rawRow(i))))
      const notify = db.transaction((i: number) => (host(i), box.outbox.notify(event(i), { transaction: db })))
      return await compare([bare, raw, notify], ms, rounds)
    }
    if (kind === 'mysql') return await measureMysql(box, t.database!, ms, rounds)
    const s = `"${t.schema}"`
    const client = await box.pool!.connect()
    try {
      await client.query(`CREATE TABLE ${s}.accounts (id int PRIMARY KEY, state text NOT NULL, version int NOT NULL DEFAULT 0)`)
      await client.query(`INSERT INTO ${s}.accounts (id, state) SELECT g, 'FAIL' FROM generate_series(1, 1000) g`)
      await client.query(`CREATE TABLE ${s}.raw_messages (LIKE ${s}.messages INCLUDING ALL)`)
      const host = (i: number) =>
        client.query({
          name: 'bench_update',
          text: `UPDATE ${s}.accounts SET state = $1, version = version + 1 WHERE id = $2`,
          values: [i & 1 ? 'PASS' : 'FAIL', 1 + (i % 1000)],
        })
      const text = `INSERT INTO ${s}.raw_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
      const tx = (body: (i: number) => Promise<unknown>) => async (i: number) => {
        await client.query('BEGIN')
        await host(i)
        await body(i)
        await client.query('COMMIT')
      }
      const bare = tx(async () => undefined)
      const raw = tx((i) => client.query({ name: 'bench_raw', text, values: rawRow(i) }))
      const notify = tx((i) => box.outbox.notify(event(i), { transaction: client }))
      return await compare([bare, raw, notify], ms, rounds)
    } finally {
      client.release()
    }
  } finally {
    await box.close()
    await dropTarget(t)
  }
}

/** The same three variants on one mysql2 connection (text protocol for all three, as `fromMysql2` uses). */
async function measureMysql(box: Box, database: string, ms: number, rounds: number): Promise<number[]> {
  const d = `\`${database}\``
  const c = await box.mysql!.promise().getConnection()
  try {
    await c.query(`CREATE TABLE ${d}.accounts (id INT PRIMARY KEY, state VARCHAR(10) NOT NULL, version INT NOT NULL DEFAULT 0)`)
    await c.query(
      `INSERT INTO ${d}.accounts (id, state) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT i, 'FAIL' FROM n`,
    )
    await c.query(`CREATE TABLE ${d}.raw_messages LIKE ${d}.hookbox_messages`)
    const host = (i: number) =>
      c.query(`UPDATE ${d}.accounts SET state = ?, version = version + 1 WHERE id = ?`, [i & 1 ? 'PASS' : 'FAIL', 1 + (i % 1000)])
    const text = `INSERT INTO ${d}.raw_messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
    const tx = (body: (i: number) => Promise<unknown>) => async (i: number) => {
      await c.beginTransaction()
      await host(i)
      await body(i)
      await c.commit()
    }
    const bare = tx(async () => undefined)
    const raw = tx((i) => c.query(text, rawRow(i)))
    const notify = tx((i) => box.outbox.notify(event(i), { transaction: c }))
    return await compare([bare, raw, notify], ms, rounds)
  } finally {
    c.release()
  }
}

export async function notifyCostBench(kind: StoreKind): Promise<Result> {
  const rounds = quick ? 2 : 5
  const ms = quick ? 300 : 1000
  const [bare, raw, notify] = (await measure(kind, ms, rounds)) as [number, number, number]
  const name = storeName(kind)
  const r = notify / raw
  const added = (notify - bare) / (raw - bare)
  const figures: Figure[] = [
    {
      id: `${kind}.notify`,
      what: `${name}: transaction with notify vs the same transaction with a hand-written INSERT`,
      value: notify,
      unit: 'µs/tx',
      baseline: { name: 'tx + raw INSERT', value: raw },
      ratio: r,
      target: '≤ 1.5×',
      met: r <= 1.5,
      note: `added time alone: ${num(notify - bare, 1)} vs ${num(raw - bare, 1)} µs (${ratio(added)})`,
    },
  ]
  const body = [
    `One connection, ${rounds} interleaved rounds of ${ms} ms per variant after a warm-up, median round. ` +
      {
        sqlite: 'Fresh WAL file, synchronous=NORMAL.',
        postgres: "Fresh schema on the local server, default `wake: 'coalesced'` (at most one `pg_notify` per 50 ms).",
        mysql:
          'Fresh database on the local server (InnoDB, `innodb_flush_log_at_trx_commit` as configured), a mysql2 connection between `beginTransaction()` and `commit()`; ' +
          "notify's cost includes the adapter's check that a transaction is open (`DO 0`, one round trip).",
      }[kind],
    table(
      ['variant', 'µs per tx', 'tx/s', 'added µs vs bare', 'ratio vs raw INSERT tx'],
      [
        ['host tx only (UPDATE + COMMIT)', num(bare, 1), num(1e6 / bare), '—', ratio(bare / raw)],
        ['host tx + hand-written INSERT (baseline)', num(raw, 1), num(1e6 / raw), num(raw - bare, 1), '1.00×'],
        ['host tx + outbox.notify()', num(notify, 1), num(1e6 / notify), num(notify - bare, 1), ratio(r)],
      ],
    ),
    `notify transaction / raw INSERT transaction = ${ratio(r)} (target ≤ 1.5× → ${verdict(r <= 1.5)}); the added time alone is ${ratio(added)} of the raw INSERT's.`,
  ]
  return { title: `notify cost on ${name}`, body: body.join('\n\n'), figures, data: { bare, raw, notify, ratio: r, addedRatio: added } }
}
