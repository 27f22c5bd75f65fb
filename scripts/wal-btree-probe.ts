// Probe for issue 13 (spread vs one tenant on SQLite): which b-tree the WAL frames of a warm drain
// land on. Expands N messages × 3 endpoints first, checkpoints the WAL away, drains with
// autocheckpoint off, then maps every WAL frame's page to its table or index (dbstat) and prints
// frames per delivery by b-tree, for 1 tenant and 10,000 tenants spread. Load-independent counts.
//   tsx --conditions=hookbox-source scripts/wal-btree-probe.ts [n]
import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { createPlanner } from '../packages/core/src/index.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'
import { commitMany, dropTarget, newTarget, openOutbox } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'
import { routeTenants } from '../bench/tenants.js'

const n = Number(process.argv[2] ?? 2000)
const receiver = await startReceiver()

/** Page numbers of the WAL's frames, one per frame (header 32 bytes, frame header 24). */
function walPages(file: string, pageSize: number): { pages: number[]; commits: number } {
  const b = readFileSync(file)
  const pages: number[] = []
  let commits = 0
  for (let at = 32; at + 24 + pageSize <= b.length; at += 24 + pageSize) {
    pages.push(b.readUInt32BE(at))
    // A commit's last frame carries the database size.
    if (b.readUInt32BE(at + 4) !== 0) commits++
  }
  return { pages, commits }
}

for (const tenants of [1, 10_000]) {
  const t = newTarget('sqlite')
  try {
    const seed = await openOutbox(t, { tenants })
    await routeTenants(seed, receiver.url, tenants)
    const routing = await loadRoutingSnapshot(seed.outbox.store.catalog)
    const planner = createPlanner({ routing })
    // A first drain warms the tables as the e2e figure's does.
    for (const base of [0, 1_000_000]) {
      await commitMany(seed, n, 100, base)
      while ((await seed.outbox.store.queue.expand({ limit: 100, now: Date.now(), planner })).expanded > 0);
      if (base === 0) {
        let k = 0
        await new Promise<void>((res) => {
          seed.outbox.on('delivered', () => ++k === 3 * n && res())
          seed.outbox.start()
        })
        await seed.outbox.stop()
      }
    }
    await seed.close()
    const box = await openOutbox(t, { tenants })
    const db = box.sqlite as Database.Database
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.pragma('wal_autocheckpoint = 0')
    let k = 0
    await new Promise<void>((res) => {
      box.outbox.on('delivered', () => ++k === 3 * n && res())
      box.outbox.start()
    })
    await box.outbox.stop()
    const pageSize = db.pragma('page_size', { simple: true }) as number
    const { pages, commits } = walPages(`${t.file}-wal`, pageSize)
    const names = new Map<number, string>()
    for (const r of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) names.set(r.pageno, r.name)
    const by = new Map<string, number>()
    const distinct = new Map<string, Set<number>>()
    for (const p of pages) {
      const name = names.get(p) ?? '?'
      by.set(name, (by.get(name) ?? 0) + 1)
      distinct.set(name, (distinct.get(name) ?? new Set()).add(p))
    }
    console.log(
      `${tenants} tenant(s): ${(pages.length / (3 * n)).toFixed(2)} WAL frames per delivery, ${commits} commits, ${new Set(pages).size} distinct pages`,
    )
    for (const [name, c] of [...by].sort((a, b) => b[1] - a[1]))
      console.log(`  ${name.padEnd(44)} ${(c / (3 * n)).toFixed(3)} (${distinct.get(name)!.size} pages)`)
    // Row sizes of the attempt log: what makes its pages fill faster.
    console.log(
      db
        .prepare(
          `SELECT count(*) n, avg(length(url)) url, avg(length(response_snippet)) snippet, avg(length(error)) error, avg(length(tenant)) tenant, avg(length(id)) id, (SELECT sum(pgsize) FROM dbstat WHERE name = 'hookbox_attempts') bytes FROM hookbox_attempts`,
        )
        .get(),
    )
    await box.close()
  } finally {
    await dropTarget(t)
  }
}
await receiver.close?.()
