// Probe for issue 13 (spread notify cost), before/after migration 9 interleaved: tsx --conditions=hookbox-source scripts/spread-probe.ts sqlite
import { commitMany, dropTarget, newTarget, openOutbox, type Box, type StoreKind, type Target } from '../bench/hookbox.js'
import { compare } from '../bench/notify-cost.js'

const kind = (process.argv[2] ?? 'sqlite') as StoreKind
const TENANTS = 10_000
const PREFILL = Number(process.env.PREFILL ?? 30_000)

async function setup(t: Target, tenants: number): Promise<void> {
  const box = await openOutbox(t, { tenants })
  await box.outbox.migrate()
  const { policies } = await import('../packages/core/src/index.js')
  await box.outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed(), failureMode: 'each' })
  for (let t0 = 0; t0 < tenants; t0 += 16)
    await Promise.all(
      Array.from({ length: Math.min(16, tenants - t0) }, async (_, j) => {
        for (let k = 0; k < 3; k++)
          await box.outbox.endpoints.create({ tenant: `t${t0 + j}`, collection: 'events', url: `http://127.0.0.1:9/t${t0 + j}/e${k}` })
      }),
    )
  await commitMany(box, PREFILL, 100, 1_000_000)
  await box.close()
}

// Before (tenant-led index, recreated) and after (block-led, migration 9), interleaved in one run.
const OLD = 'DROP INDEX hookbox_messages_tenant_block; CREATE INDEX hookbox_messages_tenant ON hookbox_messages (tenant, seq)'
const targets = [newTarget(kind), newTarget(kind), newTarget(kind), newTarget(kind)]
try {
  for (const [i, t] of targets.entries()) await setup(t, i % 2 === 0 ? 1 : TENANTS)
  if (kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    for (const t of targets.slice(0, 2)) {
      const db = new Database(t.file!)
      db.exec(OLD)
      db.close()
    }
  }
  const boxes: Box[] = []
  for (const pair of [targets.slice(0, 2), targets.slice(2)])
    boxes.push(
      await openOutbox(pair[0]!, { tenants: 1 }),
      await openOutbox(pair[1]!, { tenants: TENANTS }),
      await openOutbox(pair[1]!, { tenants: 1 }),
    )
  const rounds = Number(process.env.ROUNDS ?? 7)
  const us = await compare(
    boxes.map((box) => (i: number) => box.produce(50_000_000 + i, 1)),
    1000,
    rounds,
  )
  for (const [k, label] of ['before', 'after'].entries()) {
    const [one, spread, manyOne] = us.slice(k * 3, k * 3 + 3) as [number, number, number]
    console.log(
      `${kind} ${label}: µs/tx 1 tenant=${one.toFixed(1)} spread=${spread.toFixed(1)} one-of-10k=${manyOne.toFixed(1)}; ratio spread=${(one / spread).toFixed(2)} one-of-10k=${(one / manyOne).toFixed(2)}`,
    )
  }
  for (const b of boxes) await b.close()
} finally {
  for (const t of targets) await dropTarget(t)
}
