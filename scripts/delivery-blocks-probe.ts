// Probe for issue 13 (spread expansion on SQLite), before/after migration 10 in one run:
// tsx --conditions=hookbox-source scripts/delivery-blocks-probe.ts
// Pages each expansion commit writes to the WAL (autocheckpoint off: a count, not a timing) and
// µs per message, interleaved rounds: 1 tenant, and 10,000 tenants × 3 endpoints with the
// events spread, with the deliveries' tenant index as migration 6 made it and as migration 10 does.
import { copyFileSync } from 'node:fs'
import { commitMany, dropTarget, newTarget, openOutbox, type Box, type Target } from '../bench/hookbox.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'
import { createPlanner, policies } from '../packages/core/src/index.js'

const N = 3000
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const OLD = 'DROP INDEX hookbox_deliveries_tenant_block; CREATE INDEX hookbox_deliveries_tenant ON hookbox_deliveries (tenant, id)'

async function setup(t: Target, tenants: number): Promise<void> {
  const box = await openOutbox(t, { tenants })
  await box.outbox.migrate()
  await box.outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed(), failureMode: 'each' })
  for (let i = 0; i < tenants; i++)
    for (let k = 0; k < 3; k++)
      await box.outbox.endpoints.create({ tenant: `t${i}`, collection: 'events', url: `http://127.0.0.1:9/t${i}/e${k}` })
  await box.close()
}

/** Expands `N` fresh messages; µs per message and WAL pages per 100 messages. */
async function expansion(box: Box, startAt: number): Promise<{ us: number; pages: number }> {
  await commitMany(box, N, 100, startAt)
  const planner = createPlanner({ routing: await loadRoutingSnapshot(box.outbox.store.catalog) })
  const db = box.sqlite!
  db.pragma('wal_autocheckpoint = 0')
  db.pragma('wal_checkpoint(TRUNCATE)')
  const t0 = performance.now()
  let expanded = 0
  for (let r; (r = await box.outbox.store.queue.expand({ limit: 100, now: Date.now(), planner })).expanded > 0;) expanded += r.expanded
  const us = ((performance.now() - t0) * 1000) / expanded
  const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }]
  db.pragma('wal_checkpoint(TRUNCATE)')
  return { us, pages: (log / expanded) * 100 }
}

const one = newTarget('sqlite')
const many = newTarget('sqlite')
const old = newTarget('sqlite')
try {
  await setup(one, 1)
  await setup(many, 10_000)
  copyFileSync(many.file!, old.file!)
  const oldBox = await openOutbox(old)
  oldBox.sqlite!.exec(OLD)
  await oldBox.close()
  const variants = [
    { name: '1 tenant', t: one, tenants: 1 },
    { name: '10,000 spread, (tenant, id) (before)', t: old, tenants: 10_000 },
    { name: '10,000 spread, (block, tenant) (after)', t: many, tenants: 10_000 },
  ]
  const boxes = await Promise.all(variants.map((v) => openOutbox(v.t, { tenants: v.tenants })))
  for (const box of boxes) await expansion(box, 500_000_000) // history, as the bench's end-to-end rounds leave
  const m = boxes.map(() => ({ us: [] as number[], pages: [] as number[] }))
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, box] of boxes.entries()) {
      const x = await expansion(box, (r + 10) * 1_000_000)
      m[i]!.us.push(x.us)
      m[i]!.pages.push(x.pages)
    }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!
  const base = m[0]!
  for (const [i, v] of variants.entries())
    console.log(
      `${v.name.padEnd(40)} ${median(m[i]!.us).toFixed(1)} µs/msg (ratio ${(median(base.us) / median(m[i]!.us)).toFixed(2)}), ` +
        `${median(m[i]!.pages).toFixed(1)} WAL pages per 100 messages (ratio ${(median(base.pages) / median(m[i]!.pages)).toFixed(2)})`,
    )
  for (const box of boxes) await box.close()
} finally {
  for (const t of [one, many, old]) await dropTarget(t)
}
