/**
 * Host tx/s with notify (8 clients, dispatcher not started) under the coalesced wake's quiet-gap
 * rule (coalesceQuietMs 2, the default) against the window alone (Infinity), interleaved rounds,
 * with the bare transaction as baseline; and how many NOTIFYs each variant's transactions sent.
 * `tsx --conditions=hookbox-source scripts/coalesce-ab.ts`
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createOutbox } from '../packages/core/src/index.js'
import { postgresStore } from '../packages/store-postgres/src/index.js'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `hb_coal_${randomBytes(4).toString('hex')}`
const pool = new pg.Pool({ connectionString: url, max: 16 })
const N = 2000
const CLIENTS = 8
const outboxes = {
  quiet2: createOutbox({ store: postgresStore({ pool, schema }) }),
  windowOnly: createOutbox({ store: postgresStore({ pool, schema, coalesceQuietMs: Number.POSITIVE_INFINITY }) }),
}
await outboxes.quiet2.migrate()
await outboxes.quiet2.collections.upsert({ name: 'main' })
await pool.query(`CREATE TABLE "${schema}".accounts (id int PRIMARY KEY, v int NOT NULL DEFAULT 0)`)
await pool.query(`INSERT INTO "${schema}".accounts (id) SELECT g FROM generate_series(1, 1000) g`)
const listener = new pg.Client({ connectionString: url })
await listener.connect()
let notifications = 0
listener.on('notification', () => notifications++)
await listener.query(`LISTEN "hookbox_wake:${schema}"`)

async function run(variant: 'bare' | keyof typeof outboxes): Promise<{ tps: number; notifies: number }> {
  const conns = await Promise.all(Array.from({ length: CLIENTS }, () => pool.connect()))
  const before = notifications
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    conns.map(async (c) => {
      for (let i = next++; i < N; i = next++) {
        await c.query('BEGIN')
        await c.query({ name: 'upd', text: `UPDATE "${schema}".accounts SET v = v + 1 WHERE id = $1`, values: [1 + (i % 1000)] })
        if (variant !== 'bare') await outboxes[variant].notify({ type: 'a.b', payload: { i } }, { transaction: c })
        await c.query('COMMIT')
      }
    }),
  )
  const tps = N / ((performance.now() - t0) / 1000)
  for (const c of conns) c.release()
  await new Promise((r) => setTimeout(r, 100))
  return { tps, notifies: notifications - before }
}
for (let r = 0; r < 4; r++) {
  const bare = await run('bare')
  const q = await run('quiet2')
  const w = await run('windowOnly')
  console.log(
    `round ${r}: bare ${bare.tps.toFixed(0)} tx/s; quiet 2 ms ${(q.tps / bare.tps).toFixed(2)} (${q.notifies} NOTIFYs); window only ${(w.tps / bare.tps).toFixed(2)} (${w.notifies} NOTIFYs)`,
  )
}
await listener.end()
for (const o of Object.values(outboxes)) await o.close()
await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
await pool.end()
