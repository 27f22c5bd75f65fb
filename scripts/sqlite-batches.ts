// Batch sizes of a SQLite drain (in this process): how many rows each expand, claim and complete call carries.
//   tsx --conditions=hookbox-source scripts/sqlite-batches.ts [http|noop] [n]
import { commitMany, dropTarget, newTarget, openOutbox, route } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'

const [mode = 'http', nArg = '10000'] = process.argv.slice(2)
const n = Number(nArg)
const noop = mode === 'noop'
const receiver = await startReceiver()
const t = newTarget('sqlite')
try {
  const seed = await openOutbox(t, { noop })
  await route(seed, noop ? 'noop://sink' : receiver.url)
  await commitMany(seed, n)
  await seed.close()
  const box = await openOutbox(t, { noop })
  const q = box.outbox.store.queue as unknown as Record<string, (...a: unknown[]) => unknown>
  const sizes: Record<string, number[]> = { expand: [], claim: [], complete: [] }
  for (const op of ['expand', 'claim', 'complete'] as const) {
    const orig = q[op]!.bind(q)
    q[op] = (req: unknown) => {
      const r = orig(req) as Promise<unknown>
      return Promise.resolve(r).then((v) => {
        const x = v as { expanded?: number; leased?: unknown[] } | string[]
        sizes[op]!.push(Array.isArray(x) ? x.length : op === 'expand' ? x.expanded! : x.leased!.length)
        return v
      })
    }
  }
  let delivered = 0
  const done = new Promise<void>((r) => box.outbox.on('delivered', () => ++delivered === n && r()))
  const t0 = performance.now()
  box.outbox.start()
  await done
  const s = (performance.now() - t0) / 1000
  console.log(`${mode}: ${n} in ${s.toFixed(2)} s = ${Math.round(n / s)}/s (in process)`)
  for (const [op, v] of Object.entries(sizes)) {
    const sorted = [...v].sort((a, b) => a - b)
    const sum = v.reduce((a, b) => a + b, 0)
    console.log(
      `${op}: ${v.length} calls, mean ${(sum / v.length).toFixed(1)}, median ${sorted[v.length >> 1]}, zero ${v.filter((x) => x === 0).length}`,
    )
  }
  await box.close()
} finally {
  await dropTarget(t)
  await receiver.close()
}
