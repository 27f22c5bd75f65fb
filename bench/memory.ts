/**
 * Benchmark 3 — memory: RSS and V8 heap before and after delivering 20,000 messages through
 * a running SQLite outbox (in two halves of 10,000), measured after forced GCs. A dispatcher
 * that let go of completed work shows a flat heap; one that keeps it grows per message.
 */
import { runHookbox } from './delivery.js'
import type { Receiver } from './receiver.js'
import { sqliteOutbox } from './sqlite-delivery.js'
import { gc, mb, num, sleep, table, type Section } from './support.js'

async function snapshot(): Promise<{ rss: number; heap: number }> {
  await sleep(50) // let the outbox's 20 ms wake timers and socket callbacks run out
  gc()
  const m = process.memoryUsage()
  return { rss: mb(m.rss), heap: mb(m.heapUsed) }
}

/** Runs benchmark 3 and returns its section. */
export async function memoryBench(receiver: Receiver, options: { total?: number } = {}): Promise<Section> {
  const total = options.total ?? 20_000
  const half = total / 2
  const box = await sqliteOutbox(receiver)
  try {
    await runHookbox(box.outbox, receiver, box.produce, 1000, { timeoutMs: 60_000, perCommit: 20 })
    const before = await snapshot()
    const first = await runHookbox(box.outbox, receiver, box.produce, half, { startAt: 10_000, timeoutMs: 120_000, perCommit: 20 })
    const mid = await snapshot()
    const second = await runHookbox(box.outbox, receiver, box.produce, half, { startAt: 10_000 + half, timeoutMs: 120_000, perCommit: 20 })
    const after = await snapshot()
    const per10k = (a: number, b: number) => ((b - a) / total) * 10_000
    const rows = [
      ['before (after 1,000 warm-up deliveries)', num(before.rss, 1), num(before.heap, 1), '—'],
      [`after ${num(half)} more (${num(first.perSecond)} deliveries/s)`, num(mid.rss, 1), num(mid.heap, 1), num(mid.heap - before.heap, 2)],
      [`after ${num(total)} more (${num(second.perSecond)} deliveries/s)`, num(after.rss, 1), num(after.heap, 1), num(after.heap - before.heap, 2)],
    ]
    const body = [
      `Receiver in a **${receiver.where}**, so only the engine's memory is counted. One SQLite outbox (WAL, synchronous=NORMAL; SQLite's page cache is counted in RSS), ` +
        `concurrency 32, messages committed 20 per host transaction (\`notifyMany\`) to keep the run short, in two halves of ${num(half)}; each snapshot after the half is fully delivered, 50 ms idle and two forced GCs.`,
      table(['point', 'RSS MB', 'heap used MB', 'heap Δ vs before MB'], rows),
      table(
        ['growth per 10,000 messages', 'MB'],
        [
          ['heap used', num(per10k(before.heap, after.heap), 2)],
          ['RSS', num(per10k(before.rss, after.rss), 2)],
          ['heap used, second half only', num(((after.heap - mid.heap) / half) * 10_000, 2)],
        ],
      ),
    ]
    return { title: '3. Memory while delivering', body: body.join('\n\n') }
  } finally {
    await box.close()
  }
}
