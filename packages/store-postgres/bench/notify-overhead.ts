/**
 * What `notify` costs a host transaction. 8 clients each run, for a few seconds, a small host
 * transaction (UPDATE one of 1,000 rows + INSERT one audit row) in a loop: first bare, then with
 * `outbox.notify()` through the same pg client, in both wake modes. Reports transactions per
 * second and the ratio to the bare run (target: >= 0.75).
 *
 *   node --conditions=hookbox-source --import tsx packages/store-postgres/bench/notify-overhead.ts
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_SECONDS.
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { createOutbox, type Outbox } from '@hookbox/core'
import pg from 'pg'
import { postgresStore, type WakeMode } from '../src/index.js'

/** One measured variant. */
export interface NotifyOverheadRow {
  variant: string
  transactions: number
  txPerSec: number
  /** txPerSec divided by the bare host transaction's. */
  ratio: number
}

/** Options of {@link run}. */
export interface NotifyOverheadOptions {
  databaseUrl?: string
  /** Seconds per variant, run as interleaved one-second rounds (default 10). */
  seconds?: number
  /** Concurrent clients (default 8). */
  clients?: number
}

type Variant = { name: string; wake: WakeMode | null }

const VARIANTS: readonly Variant[] = [
  { name: 'host transaction only', wake: null },
  { name: "+ notify, wake: 'poll'", wake: 'poll' },
  { name: "+ notify, wake: 'notify'", wake: 'notify' },
  { name: "+ notify, wake: 'coalesced' (default)", wake: 'coalesced' },
]

async function measure(pool: pg.Pool, schema: string, outbox: Outbox | null, clients: number, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000
  let count = 0
  const loop = async () => {
    const client = await pool.connect()
    try {
      while (Date.now() < until) {
        const id = 1 + Math.floor(Math.random() * 1000)
        await client.query('BEGIN')
        await client.query(`UPDATE "${schema}".accounts SET balance = balance + 1 WHERE id = $1`, [id])
        await client.query(`INSERT INTO "${schema}".audit (account_id, amount) VALUES ($1, 1)`, [id])
        if (outbox) await outbox.notify({ type: 'account.credited', payload: { id, amount: 1 } }, { transaction: client })
        await client.query('COMMIT')
        count++
      }
    } finally {
      client.release()
    }
  }
  await Promise.all(Array.from({ length: clients }, loop))
  return count
}

/** Runs every variant and returns one row each (also used by the workspace `pnpm bench`). */
export async function run(options: NotifyOverheadOptions = {}): Promise<NotifyOverheadRow[]> {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 10)
  const clients = options.clients ?? 8
  const schema = `hb_bench_${randomBytes(4).toString('hex')}`
  const pool = new pg.Pool({ connectionString: databaseUrl, max: clients + 2 })
  const rows: NotifyOverheadRow[] = []
  try {
    await pool.query(`CREATE SCHEMA "${schema}"`)
    await pool.query(`CREATE TABLE "${schema}".accounts (id int PRIMARY KEY, balance bigint NOT NULL DEFAULT 0)`)
    await pool.query(`INSERT INTO "${schema}".accounts (id) SELECT generate_series(1, 1000)`)
    await pool.query(`CREATE TABLE "${schema}".audit (id bigserial PRIMARY KEY, account_id int NOT NULL, amount int NOT NULL)`)
    // A listener, as a running dispatcher would hold, so NOTIFY has someone to deliver to.
    const listener = postgresStore({ pool, schema })
    await listener.migrate()
    const unsubscribe = await listener.subscribe!(() => undefined)
    try {
      // Interleaved one-second rounds, rotating the order, so drift (disk, neighbours) hits every variant alike.
      const outboxes = VARIANTS.map((v) => (v.wake ? createOutbox({ store: postgresStore({ pool, schema, wake: v.wake }) }) : null))
      const totals = VARIANTS.map(() => 0)
      for (let i = 0; i < VARIANTS.length; i++) await measure(pool, schema, outboxes[i]!, clients, 0.5) // warm-up
      for (let round = 0; round < seconds; round++)
        for (let k = 0; k < VARIANTS.length; k++) {
          const i = (k + round) % VARIANTS.length
          totals[i]! += await measure(pool, schema, outboxes[i]!, clients, 1)
        }
      const base = totals[0]! / seconds
      VARIANTS.forEach((v, i) => {
        const txPerSec = totals[i]! / seconds
        rows.push({
          variant: v.name,
          transactions: totals[i]!,
          txPerSec: Math.round(txPerSec),
          ratio: Number((txPerSec / base).toFixed(3)),
        })
      })
    } finally {
      await unsubscribe()
    }
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await pool.end()
  }
  return rows
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run()
  console.table(rows)
}
