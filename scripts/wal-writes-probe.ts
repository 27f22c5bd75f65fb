// Probe for issue 13 (spread end-to-end on SQLite), in counts that do not depend on the machine's
// load: the pwrite64 calls (WAL frames, with the checkpoints commits run) a dispatcher
// process makes draining N committed messages, 1 tenant against 10,000 tenants spread, by kind
// of store transaction (expand, claim, complete), and outside any COMMIT (the closing checkpoint
// among them). Run it under strace, one log per process:
//   strace -f -ff -e trace=pwrite64,access,faccessat,faccessat2 -o <dir>/s \
//     npx tsx --conditions=hookbox-source scripts/wal-writes-probe.ts <dir> [n]
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commitMany, dropTarget, newTarget, openOutbox } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'
import { routeTenants } from '../bench/tenants.js'
import { drain } from '../bench/workers.js'

const [dir, nArg = '3000'] = process.argv.slice(2)
if (!dir) throw new Error('usage: wal-writes-probe.ts <strace log dir> [n]')
const n = Number(nArg)
// The dispatcher processes (and only they: this one has already loaded its modules) mark their commits.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${fileURLToPath(new URL('./wal-writes-marks.mjs', import.meta.url))}`

/** pwrite64 calls by transaction kind in one process's strace log, and outside any COMMIT. */
function count(log: string): Record<string, { tx: number; writes: number }> {
  const out: Record<string, { tx: number; writes: number }> = { outside: { tx: 0, writes: 0 } }
  let kind: string | null = null
  for (const line of log.split('\n')) {
    const commit = /hookbox-wal-mark\/commit-(\w+)/.exec(line)
    if (commit) kind = commit[1]!
    else if (line.includes('hookbox-wal-mark/end')) {
      out[kind!]!.tx++
      kind = null
    } else if (line.startsWith('pwrite64')) out[kind ?? 'outside']!.writes++
    if (commit) out[kind!] ??= { tx: 0, writes: 0 }
  }
  return out
}

const receiver = await startReceiver()
const seen = new Set(readdirSync(dir))
for (const tenants of [1, 10_000]) {
  const t = newTarget('sqlite')
  try {
    const box = await openOutbox(t, { tenants })
    await routeTenants(box, receiver.url, tenants)
    await commitMany(box, n, 100, 1_000_000)
    await box.close()
    await receiver.reset()
    const { perSecond } = await drain(t, n * 3, { tenants })
    // The new logs that hold marks are the dispatcher's (its main thread runs every statement).
    const logs = readdirSync(dir).filter((f) => !seen.has(f))
    for (const f of logs) seen.add(f)
    const text = logs.map((f) => readFileSync(join(dir, f), 'utf8')).find((l) => l.includes('hookbox-wal-mark'))
    const counts = count(text ?? '')
    const total = Object.values(counts).reduce((s, c) => s + c.writes, 0)
    console.log(`${tenants} tenant(s): ${Math.round(perSecond)} deliveries/s (under strace), pwrite64 ${total} in all`)
    for (const [kind, c] of Object.entries(counts))
      console.log(
        `  ${kind.padEnd(9)} ${String(c.tx).padStart(5)} tx ${String(c.writes).padStart(7)} pwrite64${c.tx ? ` (${(c.writes / c.tx).toFixed(1)} per tx)` : ''}`,
      )
  } finally {
    await dropTarget(t)
  }
}
await receiver.close()
