/**
 * Times each statement of a MariaDB claim that skips a stuck endpoint with `STUCK_N` due ahead
 * of another endpoint's 2,000 (the head-of-line bench's set-up), client side.
 * `tsx --conditions=hookbox-source scripts/hol-mysql-probe.ts [stuck]`
 */
import mysql from 'mysql2'
import { mysqlStore } from '../packages/store-mysql/src/index.js'
import { dropTarget, newTarget, openOutbox, route } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'
import { seedPending } from '../bench/seed.js'

const STUCK_N = Number(process.argv[2] ?? 100_000)
const log: string[] = []
let around: { sql: string; values: unknown[] } | undefined
for (const method of ['query', 'execute'] as const) {
  const proto = (mysql as unknown as { Connection: { prototype: Record<string, (...a: unknown[]) => unknown> } }).Connection.prototype
  const orig = proto[method]!
  proto[method] = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { sql: string }
    const text = typeof q === 'string' ? q : q.sql
    if (text.includes('hookbox_deliveries_pending_endpoint')) around = { sql: text, values: args[1] as unknown[] }
    const t0 = performance.now()
    const cbAt = args.findIndex((a) => typeof a === 'function')
    if (cbAt >= 0) {
      const cb = args[cbAt] as (...r: unknown[]) => void
      args[cbAt] = (...r: unknown[]) => {
        log.push(`${(performance.now() - t0).toFixed(2).padStart(8)} ms  ${text.replace(/\s+/g, ' ').slice(0, 160)}`)
        cb(...r)
      }
    }
    return orig.apply(this, args)
  }
}
const receiver = await startReceiver()
const t = newTarget('mysql')
const box = await openOutbox(t)
try {
  const [healthy] = await route(box, receiver.url, { tenants: 0 })
  await seedPending(t, 'ep_stuck', STUCK_N + 2000)
  await box
    .mysql!.promise()
    .query(`UPDATE \`${box.mysqlDatabase}\`.hookbox_deliveries SET endpoint_id = ?, targets = ? WHERE message_seq > ?`, [
      healthy,
      JSON.stringify([healthy]),
      STUCK_N,
    ])
  await box.mysql!.promise().query(`ANALYZE TABLE \`${box.mysqlDatabase}\`.hookbox_deliveries`)
  const queue = mysqlStore({ pool: box.mysql!, database: box.mysqlDatabase! }).queue
  let now = Date.now()
  for (let i = 0; i < 4; i++) {
    log.length = 0
    now += 2
    const t0 = performance.now()
    const { leased } = await queue.claim({ limit: 10, now, leaseMs: 1, owner: 'probe', skipEndpoints: ['ep_stuck'] })
    console.log(`claim ${i}: ${leased.length} leased in ${(performance.now() - t0).toFixed(1)} ms`)
    if (i >= 2) for (const l of log) console.log(l)
  }
  const [groups] = await box
    .mysql!.promise()
    .query(`SELECT endpoint_id, state, count(*) AS n FROM \`${box.mysqlDatabase}\`.hookbox_deliveries GROUP BY endpoint_id, state`)
  console.log(JSON.stringify(groups))
  if (around) {
    const [plan] = await box.mysql!.promise().query(`ANALYZE FORMAT=JSON ${around.sql}`, around.values)
    console.log(JSON.stringify(plan, null, 1).slice(0, 6000))
  }
} finally {
  await box.close()
  await dropTarget(t)
  await receiver.close()
}
