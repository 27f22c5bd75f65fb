// How long the dispatcher holds up the host's event loop while it works through a backlog of
// committed messages on SQLite (issue 16 notes): the longest gap between 1 ms ticks of a timer in
// the same process, from start() until the backlog is delivered.
//   [GAPS=1] tsx --conditions=hookbox-source scripts/stall-probe.ts [messages]   (GAPS=1: every gap over 15 ms, when)
import { commitMany, dropTarget, newTarget, openOutbox, route } from '../bench/hookbox.js'
import { startReceiver } from '../bench/receiver.js'

const n = Number(process.argv[2] ?? 20_000)
const receiver = await startReceiver()
const t = newTarget('sqlite')
try {
  {
    const box = await openOutbox(t)
    await route(box, receiver.url)
    await commitMany(box, n)
    await box.close()
  }
  const box = await openOutbox(t)
  let delivered = 0
  const done = new Promise<void>((resolve) => box.outbox.on('delivered', () => ++delivered === n && resolve()))
  let last = performance.now()
  let longest = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    if (process.env.GAPS && now - last > 15)
      console.log(`gap ${(now - last).toFixed(1)} ms at ${(last - t0).toFixed(0)} ms, delivered ${delivered}`)
    last = now
  }, 1)
  const t0 = performance.now()
  box.outbox.start()
  await done
  clearInterval(ticker)
  console.log(`${n} messages: delivered in ${Math.round(performance.now() - t0)} ms, longest event-loop gap ${longest.toFixed(1)} ms`)
  await box.close()
} finally {
  await dropTarget(t)
  await receiver.close()
}
