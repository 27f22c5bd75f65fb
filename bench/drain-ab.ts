/**
 * A short A/B driver for the dispatcher's drain (issue 16): N notifies committed in bulk with
 * the dispatcher stopped, then the in-process dispatcher drains them to the receiver (another
 * process); prints one JSON line with deliveries/s. `--root DIR` takes the benchmark helpers
 * (and so the engine) from another checkout, so two trees run in the same process order.
 * Usage: tsx --conditions=hookbox-source bench/drain-ab.ts --store postgres --n 4000
 *   [--concurrency 32] [--batch 100] [--noop] [--root ../other-tree]
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const { values: a } = parseArgs({
  options: {
    root: { type: 'string', default: '.' },
    store: { type: 'string', default: 'postgres' },
    n: { type: 'string', default: '4000' },
    concurrency: { type: 'string' },
    batch: { type: 'string' },
    noop: { type: 'boolean', default: false },
    label: { type: 'string', default: '' },
    keep: { type: 'string' },
  },
})
const root = resolve(a.root)
const hb = (await import(join(root, 'bench/hookbox.ts'))) as typeof import('./hookbox.js')
const rc = (await import(join(root, 'bench/receiver.ts'))) as typeof import('./receiver.js')
const n = Number(a.n)
const receiver = await rc.startReceiver()
const t = hb.newTarget(a.store as 'postgres')
try {
  const box = await hb.openOutbox(t, {
    ...(a.concurrency ? { concurrency: Number(a.concurrency) } : {}),
    ...(a.batch ? { batchSize: Number(a.batch) } : {}),
    noop: a.noop,
    poolMax: 16,
  })
  try {
    await hb.route(box, a.noop ? 'noop://sink' : receiver.url)
    await hb.commitMany(box, n)
    let delivered = 0
    let lastAt = 0
    const done = new Promise<void>((ok) =>
      box.outbox.on('delivered', () => {
        lastAt = performance.now()
        if (++delivered === (a.keep ? Number(a.keep) : n)) ok()
      }),
    )
    const t0 = performance.now()
    box.outbox.start()
    await done
    const perSecond = n / ((lastAt - t0) / 1000)
    console.log(
      JSON.stringify({
        label: a.label,
        root: a.root,
        store: a.store,
        c: a.concurrency ?? 'def',
        b: a.batch ?? 'def',
        noop: a.noop,
        perSecond: Math.round(perSecond),
      }),
    )
  } finally {
    await box.close()
  }
} finally {
  if (a.keep) console.log('kept schema', t.schema)
  else await hb.dropTarget(t)
  await receiver.close()
}
