// Probe for issue 13 (spread expansion on SQLite, load-independent): per expanded message, the WAL
// frames by b-tree (which table or index the written pages belong to), read syscalls
// (/proc/self/io syscr: page-cache misses reach the file or the WAL through pread) and CPU µs,
// 1 tenant against 10,000 tenants spread, both planning from a complete routing snapshot (as
// bench/tenants.ts's expansionUs). Each round commits N messages, checkpoints the WAL away, then
// expands them in batches of 100 with autocheckpoint off; rounds interleaved, medians (min–max).
//   tsx --conditions=hookbox-source scripts/expand-wal-probe.ts [rounds] [n]
import type Database from 'better-sqlite3'
import { readFileSync, writeFileSync } from 'node:fs'
import { createPlanner } from '../packages/core/src/index.js'
import { loadRoutingSnapshot } from '../packages/core/src/dispatcher/routing-snapshot.js'
import { commitMany, dropTarget, newTarget, openOutbox } from '../bench/hookbox.js'
import { routeTenants } from '../bench/tenants.js'
import { startProfile } from '../bench/profile-child.js'

const rounds = Number(process.argv[2] ?? 5)
const n = Number(process.argv[3] ?? 3000)
// PROFILE=DIR: each timed round's .cpuprofile as DIR/<tenants>-<round>.cpuprofile (see profile-diff.ts).
const profileTo = process.env.PROFILE

const walPages = (file: string, pageSize: number): number[] => {
  const b = readFileSync(file)
  const pages: number[] = []
  for (let at = 32; at + 24 + pageSize <= b.length; at += 24 + pageSize) pages.push(b.readUInt32BE(at))
  return pages
}
const syscr = () => Number(/syscr: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1])

// BITS=10,8: a pair of databases (1 and 10,000 tenants) per block size of the endpoint-due index
// (2^n messages; unset: as migrated), all rounds interleaved: what its block size costs.
const bitsList = (process.env.BITS ?? '').split(',').filter(Boolean).map(Number)
const targets = (bitsList.length ? bitsList : [undefined]).flatMap((bits) =>
  [1, 10_000].map((tenants) => ({ tenants, bits, t: newTarget('sqlite') })),
)
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return `${s[s.length >> 1]!.toFixed(2)} (${s[0]!.toFixed(2)}–${s.at(-1)!.toFixed(2)})`
}
try {
  for (const { tenants, bits, t } of targets) {
    const box = await openOutbox(t, { tenants })
    await routeTenants(box, 'http://127.0.0.1:1', tenants)
    if (bits !== undefined) {
      box.sqlite!.exec('DROP INDEX IF EXISTS hookbox_deliveries_endpoint_due_block')
      box.sqlite!.exec(
        `CREATE INDEX hookbox_deliveries_endpoint_due_block ON hookbox_deliveries ((message_seq >> ${bits}), endpoint_id, next_attempt_at) WHERE state = 'pending'`,
      )
    }
    await box.close()
  }
  const boxes = await Promise.all(targets.map(({ tenants, t }) => openOutbox(t, { tenants })))
  const routings = await Promise.all(boxes.map((b) => loadRoutingSnapshot(b.outbox.store.catalog)))
  const res = boxes.map(() => ({ frames: [] as number[], reads: [] as number[], cpu: [] as number[], by: new Map<string, number[]>() }))
  for (let r = 0; r < rounds + 1; r++)
    for (const [v, box] of boxes.entries()) {
      const db = box.sqlite as Database.Database
      await commitMany(box, n, 100, (r + 10) * 1_000_000)
      db.pragma('wal_checkpoint(TRUNCATE)')
      db.pragma('wal_autocheckpoint = 0')
      const planner = createPlanner({ routing: routings[v] })
      const stop = profileTo && r > 0 ? await startProfile() : undefined
      const r0 = syscr()
      const c0 = process.cpuUsage()
      let expanded = 0
      for (;;) {
        const { expanded: e } = await box.outbox.store.queue.expand({ limit: 100, now: Date.now(), planner })
        if (e === 0) break
        expanded += e
      }
      const c = process.cpuUsage(c0)
      const reads = syscr() - r0
      if (stop) writeFileSync(`${profileTo}/${targets[v]!.tenants}-${r}.cpuprofile`, JSON.stringify((await stop()).cpu))
      if (expanded !== n) throw new Error(`expanded ${expanded}`)
      const pages = walPages(`${targets[v]!.t.file}-wal`, db.pragma('page_size', { simple: true }) as number)
      db.pragma('wal_autocheckpoint = 1000')
      if (r === 0) continue // warm-up
      const names = new Map<number, string>()
      for (const row of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[])
        names.set(row.pageno, row.name)
      const by = new Map<string, number>()
      for (const p of pages) by.set(names.get(p) ?? '?', (by.get(names.get(p) ?? '?') ?? 0) + 1)
      for (const [k, c] of by) res[v]!.by.set(k, [...(res[v]!.by.get(k) ?? []), c / n])
      res[v]!.frames.push(pages.length / n)
      res[v]!.reads.push(reads / n)
      res[v]!.cpu.push((c.user + c.system) / n)
    }
  for (const [v, { tenants, bits }] of targets.entries()) {
    const x = res[v]!
    console.log(
      `${bits === undefined ? '' : `block 2^${bits}, `}${tenants} tenant(s): per message  WAL frames ${med(x.frames)}  read syscalls ${med(x.reads)}  CPU µs ${med(x.cpu)}`,
    )
    for (const [k, c] of [...x.by].sort((a, b) => b[1][0]! - a[1][0]!)) console.log(`  ${k.padEnd(44)} ${med(c)}`)
  }
  for (const box of boxes) await box.close()
} finally {
  for (const { t } of targets) await dropTarget(t)
}
