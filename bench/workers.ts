/**
 * Dispatchers in child processes: each child opens the outbox at a {@link Target}, waits for
 * `go`, starts its dispatcher and reports how many deliveries it has completed (the
 * `delivered` event: outcome durable) and its peak RSS (`process.resourceUsage().maxRSS`).
 * The parent starts them together and stops them once their deliveries add up to `n`.
 * Used for drains (throughput, backlog, fan-out, no-op claim path) and scale-out.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { openOutbox, type OpenOptions, type Target } from './hookbox.js'
import { startProfile, type ProfileData } from './profile-child.js'
import { now } from './support.js'

interface Progress {
  type: 'progress'
  delivered: number
  startedAt: number
  lastAt: number
  maxRssKb: number
  /** CPU (user + system) the process has used since its last `go`, µs. */
  cpuUs: number
}

export interface DrainResult {
  delivered: number
  seconds: number
  perSecond: number
  /** Peak RSS of each dispatcher process, MB. */
  peakRssMb: number[]
  /** With `profile`: each process's CPU profile and SQL timings from `go` to `stop`. */
  profiles?: ProfileData[]
  /** With `warmUp`: deliveries/s of the warm-up (fresh processes), timed like the drain. */
  warmUpPerSecond?: number
  /** The dispatcher processes' CPU (user + system) per delivery over the timed drain, µs (their last reports: up to 25 ms after the last delivery). */
  cpuUsPerDelivery: number
}

/**
 * A warm-up before the timed drain: the dispatchers deliver `deliveries` (the backlog committed
 * before {@link drain}), stop, `then` commits the timed backlog, and they start again in the same
 * processes, with what they learnt (routing, endpoint state, connections) still in memory.
 */
export interface WarmUp {
  deliveries: number
  then: () => Promise<void>
}

/**
 * Runs `processes` dispatchers on `t` until they have delivered `n` between them; time runs
 * from `go` to the last of those deliveries.
 */
export async function drain(
  t: Target,
  n: number,
  o: OpenOptions & { processes?: number; timeoutMs?: number; profile?: boolean; warmUp?: WarmUp } = {},
): Promise<DrainResult> {
  const { processes = 1, timeoutMs = 120_000, profile = false, warmUp, ...open } = o
  const script = fileURLToPath(import.meta.url)
  const execArgv = process.execArgv.includes('--conditions=hookbox-source')
    ? process.execArgv
    : [...process.execArgv, '--conditions=hookbox-source']
  const children: ChildProcess[] = []
  const latest: Progress[] = []
  try {
    for (let k = 0; k < processes; k++) {
      const child = fork(script, ['--dispatcher-child', JSON.stringify({ t, open, profile })], {
        execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      children.push(child)
      child.on('message', (m: Progress) => {
        if (m.type === 'progress') latest[k] = m
      })
    }
    // Ready, or a child that died on start-up (its error is on stderr).
    await Promise.all(
      children.map((c) =>
        Promise.race([
          once(c, 'message'),
          once(c, 'exit').then(([code]) => Promise.reject(new Error(`a dispatcher process exited with code ${code} before it was ready`))),
        ]),
      ),
    )
    const total = () => latest.reduce((s, p) => s + (p?.delivered ?? 0), 0)
    const until = async (count: number) => {
      const deadline = Date.now() + timeoutMs
      while (total() < count) {
        if (Date.now() > deadline) throw new Error(`only ${total()} of ${count} delivered within ${timeoutMs / 1000} s`)
        if (children.some((c) => c.exitCode !== null)) throw new Error('a dispatcher process exited')
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    // From the first process's start to the last delivery reported so far.
    const seconds = () => (Math.max(...latest.map((p) => p.lastAt)) - Math.min(...latest.map((p) => p.startedAt))) / 1000
    let warmUpPerSecond: number | undefined
    if (warmUp) {
      for (const c of children) c.send({ type: 'go', timed: false })
      await until(warmUp.deliveries)
      warmUpPerSecond = total() / seconds()
      // Each child stops and counts from zero; IPC keeps order, so no warm-up report comes after `paused`.
      await Promise.all(
        children.map((c) => {
          const paused = new Promise<void>((resolve) => c.on('message', (m: { type: string }) => m.type === 'paused' && resolve()))
          c.send({ type: 'pause' })
          return paused
        }),
      )
      latest.length = 0
      await warmUp.then()
    }
    for (const c of children) c.send({ type: 'go', timed: true })
    await until(n)
    const [delivered, timed] = [total(), seconds()]
    const cpuUs = latest.reduce((sum, p) => sum + (p?.cpuUs ?? 0), 0)
    // Final report with the peak RSS over the whole drain, after closing.
    const finals = await Promise.all(
      children.map(async (c) => {
        const reply = new Promise<Progress & { profile?: ProfileData }>((resolve) =>
          c.on('message', (m: Progress & { final?: boolean }) => m.final && resolve(m)),
        )
        c.send({ type: 'stop' })
        return reply
      }),
    )
    return {
      delivered,
      seconds: timed,
      perSecond: delivered / timed,
      cpuUsPerDelivery: cpuUs / delivered,
      peakRssMb: finals.map((f, k) => (f.maxRssKb ?? latest[k]!.maxRssKb) / 1024),
      ...(profile ? { profiles: finals.map((f) => f.profile!) } : {}),
      ...(warmUpPerSecond === undefined ? {} : { warmUpPerSecond }),
    }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill()
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)))
  }
}

/** The child's side. */
async function child(config: { t: Target; open: OpenOptions; profile: boolean }): Promise<void> {
  const box = await openOutbox(config.t, config.open)
  let stopProfile: (() => Promise<ProfileData>) | null = null
  let delivered = 0
  let lastAt = 0
  let startedAt = 0
  let cpu0 = process.cpuUsage()
  box.outbox.on('delivered', () => {
    delivered++
    lastAt = now()
  })
  const report = (final = false, profile?: ProfileData, sent?: () => void) =>
    process.send!(
      {
        type: 'progress',
        final,
        delivered,
        startedAt,
        lastAt,
        maxRssKb: process.resourceUsage().maxRSS,
        cpuUs: ((u) => u.user + u.system)(process.cpuUsage(cpu0)),
        ...(profile ? { profile } : {}),
      } satisfies Progress & { final: boolean; profile?: ProfileData },
      sent ?? (() => undefined),
    )
  let timer: NodeJS.Timeout | undefined
  process.on('message', async (m: { type: string; timed?: boolean }) => {
    if (m.type === 'go') {
      if (config.profile && m.timed !== false) stopProfile = await startProfile()
      startedAt = now()
      cpu0 = process.cpuUsage()
      box.outbox.start()
      timer = setInterval(report, 25)
    } else if (m.type === 'pause') {
      clearInterval(timer)
      await box.outbox.stop()
      delivered = 0
      lastAt = 0
      process.send!({ type: 'paused' })
    } else if (m.type === 'stop') {
      clearInterval(timer)
      const profile = await stopProfile?.()
      await box.close()
      // A large final message (a CPU profile) is still being written when send returns.
      report(true, profile, () => process.disconnect())
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.send!({ type: 'ready' })
}

if (process.argv[2] === '--dispatcher-child' && process.argv[1] === fileURLToPath(import.meta.url))
  await child(JSON.parse(process.argv[3]!))
