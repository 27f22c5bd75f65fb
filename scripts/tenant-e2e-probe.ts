// Probe for issue 13 (spread end-to-end): N committed messages drained by one dispatcher process with
// the client-side SQL time per statement (bench/profile-child.ts), 1 tenant against 10,000 tenants
// spread, interleaved rounds:
//   tsx --conditions=hookbox-source scripts/tenant-e2e-probe.ts [postgres|mysql] [rounds] [n]
import { commitMany, dropTarget, newTarget, openOutbox, type StoreKind } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'
import { selfTimes } from '../bench/profile.js'
import { routeTenants } from '../bench/tenants.js'
import { drain } from '../bench/workers.js'

const [kind = 'postgres', roundsArg = '3', nArg = '1000'] = process.argv.slice(2) as [StoreKind, string, string]
const n = Number(nArg)
const receiver = await startReceiver()
const variants = [1, 10_000].map((tenants) => ({ tenants, t: newTarget(kind) }))
try {
  for (const { tenants, t } of variants) {
    const box = await openOutbox(t, { tenants })
    await routeTenants(box, receiver.url, tenants)
    await box.close()
  }
  for (let r = 0; r < Number(roundsArg); r++)
    for (const { tenants, t } of variants) {
      const box = await openOutbox(t, { tenants })
      await commitMany(box, n, 100, (r + 1) * 1_000_000)
      await box.close()
      await receiver.reset()
      const d = await drain(t, n * 3, { tenants, profile: kind === 'postgres' })
      const p = d.profiles?.[0]
      const line = [`round ${r} tenants ${tenants}: ${Math.round(d.perSecond)}/s`]
      if (p) {
        const { frames, totalMs } = selfTimes(p.cpu)
        const idle = frames.find((f) => f.frame === '(idle)')?.selfMs ?? 0
        line.push(`cpu busy ${(((totalMs - idle) * 1000) / (n * 3)).toFixed(1)} µs/delivery`)
        for (const s of p.sql.sort((a, b) => b.ms - a.ms).slice(0, 8))
          line.push(`  ${((s.ms * 1000) / (n * 3)).toFixed(1).padStart(7)} µs/d ${String(s.calls).padStart(5)} calls  ${s.statement}`)
        line.push(...frames.slice(0, 6).map((f) => `  cpu ${f.selfMs.toFixed(0).padStart(6)} ms ${f.frame}`))
      }
      console.log(line.join('\n'))
    }
} finally {
  for (const { t } of variants) await dropTarget(t)
  await receiver.close()
}
