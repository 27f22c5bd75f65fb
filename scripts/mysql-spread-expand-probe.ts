// Probe for issue 13 (MariaDB expansion and end-to-end spread): what the ordering indexes' column
// order costs the write path, 1 tenant against 10,000 tenants × 3 endpoints (bench/tenants.ts's
// set-up), with the indexes before migrations 8, 9 and 10 ("base", recreated after migrating),
// after 8 ("m8"), after 9 ("m9") and after 10 ("m10", the deliveries' tenant index block-led);
// VARIANTS=m9,m10 picks some. Each round, interleaved over the four databases: N spread
// notifies committed, expanded (batches of 100) and claimed + completed through the store (no
// dispatcher, no HTTP). Per phase and message it counts the index pages the phase modified (pages
// of the database's tables in the buffer pool whose newest change is after the phase began), the
// redo the server wrote (Innodb_lsn_current: server-wide, so other clients of the server add
// noise), the server's CPU (/proc of mariadbd, equally server-wide) and the phase's wall-clock
// time (per round, the 10k-tenant figure over the 1-tenant one of the same schema):
//   pnpm exec tsx --conditions=hookbox-source scripts/mysql-spread-expand-probe.ts [rounds] [n] [prefill]
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { commitMany, dropTarget, newTarget, openOutbox, type Box, type Target } from '../bench/hookbox.js'
import { routeTenants } from '../bench/tenants.js'
import { deliverAll } from './store-drain.js'
import { createPlanner } from '../packages/core/src/index.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'

const [roundsArg = '3', nArg = '600', prefillArg = '6000'] = process.argv.slice(2)
const N = Number(nArg)
const TENANTS = 10_000
// What each variant takes back after migrating: `base` the indexes of migrations 8 to 10, `m8` those of 9 and 10, `m9` 10's.
const REVERT_8 = (d: string) => [
  `ALTER TABLE \`${d}\`.hookbox_deliveries DROP INDEX hookbox_deliveries_ordering_seq, ADD KEY hookbox_deliveries_ordering (ordering_key, tenant, collection, state, message_seq)`,
  `ALTER TABLE \`${d}\`.hookbox_messages DROP INDEX hookbox_messages_ordering_seq, ADD KEY hookbox_messages_ordering (ordering_key, tenant, expanded, seq)`,
]
const REVERT_9 = (d: string) => [
  `ALTER TABLE \`${d}\`.hookbox_deliveries DROP INDEX hookbox_deliveries_pending_endpoint, DROP COLUMN pending_endpoint_id, ADD KEY hookbox_deliveries_endpoint_due (state, endpoint_id, next_attempt_at)`,
]
const REVERT_10 = (d: string) => [
  `ALTER TABLE \`${d}\`.hookbox_deliveries DROP INDEX hookbox_deliveries_tenant_block, DROP COLUMN message_block, ADD KEY hookbox_deliveries_tenant (tenant, id)`,
]
const REVERT: Record<string, (d: string) => string[]> = {
  base: (d) => [...REVERT_8(d), ...REVERT_9(d), ...REVERT_10(d)],
  m8: (d) => [...REVERT_9(d), ...REVERT_10(d)],
  m9: REVERT_10,
  m10: () => [],
}
const PHASES = ['notify', 'expand', 'deliver'] as const
type Phase = (typeof PHASES)[number]

interface Variant {
  label: string
  tenants: number
  t: Target
}
const variants: Variant[] = (process.env.VARIANTS ?? 'm9,m10')
  .split(',')
  .flatMap((schema) =>
    [1, TENANTS].map((tenants) => ({ label: `${schema} ${tenants === 1 ? '1 tenant' : '10k tenants'}`, tenants, t: newTarget('mysql') })),
  )

const serverPid = execFileSync('pgrep', ['-o', 'mariadbd|mysqld']).toString().trim()
const serverCpuMs = () => {
  const f = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100
}

async function lsn(box: Box): Promise<bigint> {
  const [rows] = await box.mysql!.promise().query("SHOW GLOBAL STATUS LIKE 'Innodb_lsn_current'")
  return BigInt((rows as Array<{ Value: string }>)[0]!.Value)
}

/** Pages per index of the box's database changed after `since` (the buffer pool's page LSNs). */
async function pagesSince(box: Box, since: bigint): Promise<Map<string, number>> {
  const [rows] = await box.mysql!.promise().query(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS i, COUNT(*) AS n FROM information_schema.INNODB_BUFFER_PAGE
     WHERE TABLE_NAME LIKE ? AND NEWEST_MODIFICATION > ? GROUP BY TABLE_NAME, INDEX_NAME`,
    [`\`${box.mysqlDatabase}\`.%`, since.toString()],
  )
  return new Map(
    (rows as Array<{ t: string; i: string; n: number }>).map((r) => [`${r.t.split('.')[1]!.replaceAll('`', '')}.${r.i}`, Number(r.n)]),
  )
}

interface Sample {
  pages: Map<string, number>
  redo: number
  serverMs: number
  wallMs: number
}

/** Commits, expands and delivers `n` messages, measuring each phase. */
async function pass(box: Box, n: number, startAt: number): Promise<Record<Phase, Sample>> {
  const store = box.outbox.store
  const planner = createPlanner({ routing: await loadRoutingSnapshot(store.catalog) })
  const steps: Record<Phase, () => Promise<unknown>> = {
    notify: () => commitMany(box, n, 100, startAt),
    expand: async () => {
      while ((await store.queue.expand({ limit: 100, now: Date.now(), planner })).expanded > 0);
    },
    deliver: () => deliverAll(store),
  }
  const out = {} as Record<Phase, Sample>
  for (const phase of PHASES) {
    const l0 = await lsn(box)
    const c0 = serverCpuMs()
    const t0 = performance.now()
    await steps[phase]()
    const wallMs = performance.now() - t0
    const c1 = serverCpuMs()
    const l1 = await lsn(box)
    out[phase] = { pages: await pagesSince(box, l0), redo: Number(l1 - l0), serverMs: c1 - c0, wallMs }
  }
  return out
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!
try {
  await Promise.all(
    variants.map(async (v) => {
      const box = await openOutbox(v.t, { tenants: v.tenants })
      await routeTenants(box, 'http://127.0.0.1:9', v.tenants)
      for (const q of REVERT[v.label.split(' ')[0]!]!(box.mysqlDatabase!)) await box.mysql!.promise().query(q)
      await box.close()
    }),
  )
  const boxes = await Promise.all(variants.map((v) => openOutbox(v.t, { tenants: v.tenants })))
  for (const box of boxes) await pass(box, Number(prefillArg), 1_000_000)
  const samples = variants.map(() => [] as Record<Phase, Sample>[])
  for (let r = 0; r < Number(roundsArg); r++)
    for (const [k, box] of boxes.entries()) samples[k]!.push(await pass(box, N, (r + 2) * 1_000_000))
  for (const [k, v] of variants.entries()) {
    for (const phase of PHASES) {
      const s = samples[k]!.map((x) => x[phase])
      const keys = [...new Set(s.flatMap((x) => [...x.pages.keys()]))].sort()
      const per = (f: (x: Sample) => number) => {
        const xs = s.map((x) => f(x) / N)
        return `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`
      }
      console.log(
        `${v.label} ${phase}: redo B/msg ${per((x) => x.redo)}; server CPU µs/msg ${per((x) => x.serverMs * 1000)}; wall µs/msg ${per((x) => x.wallMs * 1000)}`,
      )
      console.log(`  pages/100 msg total ${per((x) => 100 * [...x.pages.values()].reduce((a, b) => a + b, 0))}`)
      for (const key of keys) console.log(`  ${key} pages/100 msg ${per((x) => 100 * (x.pages.get(key) ?? 0))}`)
    }
  }
  // Per round, 1-tenant time / 10k-tenant time of the same schema (≥ 0.9 is issue 13's target).
  for (let k = 0; k + 1 < variants.length; k += 2)
    for (const phase of PHASES) {
      const ratios = samples[k]!.map((one, r) => one[phase].wallMs / samples[k + 1]![r]![phase].wallMs)
      console.log(
        `${variants[k]!.label.split(' ')[0]} ${phase} ratio per round ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ${median(ratios).toFixed(2)}`,
      )
    }
  for (const box of boxes) await box.close()
} finally {
  for (const v of variants) await dropTarget(v.t)
}
