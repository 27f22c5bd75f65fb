/**
 * Benchmark 4 — Postgres, when DATABASE_URL (or postgres://postgres@127.0.0.1:5432/test) is
 * reachable: the store-postgres notify-overhead benchmark (8 clients, host transactions with
 * and without notify, both wake modes), and Hookbox-on-Postgres delivery throughput vs raw
 * undici as in benchmark 2, in a fresh schema dropped afterwards.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createOutbox, policies } from '../packages/core/src/index.js'
import { postgresStore } from '../packages/store-postgres/src/index.js'
import { run as notifyOverhead } from '../packages/store-postgres/bench/notify-overhead.js'
import { runHookbox, runRaw } from './delivery.js'
import type { Receiver } from './receiver.js'
import { deliveryHeaders, hookboxRow, rawRow } from './sqlite-delivery.js'
import { gc, num, payloadFor, ratio, table, type Section } from './support.js'

export const databaseUrl = (): string => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Whether the database answers within 3 s. */
export async function postgresReachable(url = databaseUrl()): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return ((await client.query('SHOW server_version')).rows[0] as { server_version: string }).server_version
  } finally {
    await client.end()
  }
}

/** Hookbox on Postgres: warm-up then one burst of `n`, 4 producers each committing BEGIN/notify/COMMIT. */
async function hookboxOnPostgres(receiver: Receiver, url: string, n: number) {
  const schema = `hb_bench_${randomBytes(4).toString('hex')}`
  const pool = new pg.Pool({ connectionString: url, max: 12 })
  const outbox = createOutbox({
    store: postgresStore({ pool, schema }),
    dispatcher: { concurrency: 32 },
    http: { allowHttp: true },
    security: { ssrf: { allow: ['127.0.0.1'] } },
  })
  outbox.on('error', ({ error, phase }) => console.error('hookbox error', phase, error))
  try {
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed() })
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    outbox.start()
    const produce = async (i: number) => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const { messageId } = await outbox.notify({ type: 'entity.state_changed', payload: payloadFor(i) }, { transaction: client })
        await client.query('COMMIT')
        return [messageId]
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    }
    await runHookbox(outbox, receiver, produce, 500, { producers: 4 })
    gc()
    return await runHookbox(outbox, receiver, produce, n, { producers: 4, startAt: 1000, timeoutMs: 90_000 })
  } finally {
    await outbox.close()
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await pool.end()
  }
}

/** Runs benchmark 4 (or explains why it was skipped) and returns its section. */
export async function postgresBench(receiver: Receiver, options: { n?: number; seconds?: number } = {}): Promise<Section> {
  const title = '4. Postgres: notify overhead and delivery throughput'
  const url = databaseUrl()
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
  if (!(await postgresReachable(url))) return { title, body: `Skipped: no PostgreSQL reachable at ${shown} (set DATABASE_URL).` }
  const n = options.n ?? 5000
  const seconds = options.seconds ?? 5
  const version = await serverVersion(url)
  const overhead = await notifyOverhead({ databaseUrl: url, seconds, clients: 8 })
  const raw = await runRaw(receiver, n, { concurrency: 32 })
  const hb = await hookboxOnPostgres(receiver, url, n)
  const worst = Math.min(...overhead.filter((r) => r.variant !== overhead[0]?.variant).map((r) => r.ratio))
  const body = [
    `PostgreSQL ${version} at ${shown} (same machine, sharing its 2 cores with the benchmark).`,
    '**Notify overhead** — `run()` imported from `packages/store-postgres/bench/notify-overhead.ts`: 8 clients each loop a host transaction ' +
      `(BEGIN; UPDATE one of 1,000 rows; INSERT an audit row; COMMIT) for ${seconds} s after a 1 s warm-up, bare and then with \`outbox.notify(…, { transaction: client })\` in each wake mode; fresh schema, dropped afterwards. Target: ≥ 0.75×.`,
    table(
      ['variant', 'transactions', 'tx/s', 'ratio vs host tx only', 'target ≥ 0.75×'],
      overhead.map((r, i) => [r.variant, num(r.transactions), num(r.txPerSec), ratio(r.ratio), i === 0 ? '—' : r.ratio >= 0.75 ? 'met' : '**missed**']),
    ),
    `Lowest ratio with notify: ${ratio(worst)}.`,
    `**Delivery throughput** — Hookbox on Postgres (default \`wake: 'coalesced'\`, fresh schema, pool of 12, dispatcher concurrency 32), ${num(n)} messages committed by 4 concurrent producers ` +
      '(each: BEGIN; notify; COMMIT on a pooled client), after 500 messages of warm-up; vs raw undici as in benchmark 2, measured just before it in this run. Receiver in a ' +
      `**${receiver.where}**.`,
    table(deliveryHeaders, [rawRow('raw undici, Agent default connections (baseline)', raw, raw.perSecond), hookboxRow('Hookbox on Postgres, defaults', hb, raw.perSecond)]),
  ]
  return { title, body: body.join('\n\n') }
}
