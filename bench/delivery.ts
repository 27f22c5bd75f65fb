/**
 * Delivery throughput and latency, shared by the SQLite (benchmark 2) and Postgres
 * (benchmark 4) runs: Hookbox delivering N messages to the benchmark receiver, and the raw
 * undici baseline (the same bodies, the same concurrency, the same receiver).
 */
import type { Outbox } from '../packages/core/src/index.js'
import { cpuSince, machineCpu, type CpuSpent } from './machine-cpu.js'
import type { Receiver } from './receiver.js'
import { Agent, now, payloadFor, percentile, request, sleep, tick } from './support.js'

/** Median and 99th percentile of latencies, ms. */
const quantiles = (latencies: number[]) => ({ p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) })

/** Writes messages `i` … `i + count - 1` in one host transaction; returns their ids once committed. */
export type Produce = (i: number, count: number) => string[] | Promise<string[]>

/** One Hookbox run. */
export interface HookboxRun {
  messages: number
  seconds: number
  perSecond: number
  /** notify commit → receipt at the receiver, ms. */
  p50: number
  p99: number
  max: number
  /** Requests the receiver saw (more than `messages` means duplicates). */
  received: number
}

/**
 * Commits `n` messages through `produce` (with `producers` concurrent producers, yielding to
 * the event loop between commits as a host would), with the dispatcher already running, and
 * waits until every one has been delivered (its outcome durable). Throughput: n over first
 * commit → last `delivered` event. `ratePerSec` paces the producers instead of a burst.
 */
export async function runHookbox(
  outbox: Outbox,
  receiver: Receiver,
  produce: Produce,
  n: number,
  options: { producers?: number; ratePerSec?: number; startAt?: number; timeoutMs?: number; perCommit?: number } = {},
): Promise<HookboxRun> {
  const { producers = 1, ratePerSec, startAt = 0, timeoutMs = 60_000, perCommit = 1 } = options
  await receiver.reset()
  const committed = new Map<string, number>()
  let delivered = 0
  let lastDelivered = 0
  let failed = 0
  let allDone!: () => void
  const done = new Promise<void>((r) => (allDone = r))
  const onDelivered = () => {
    lastDelivered = now()
    if (++delivered === n) allDone()
  }
  const onOther = () => {
    failed++
  }
  outbox.on('delivered', onDelivered)
  outbox.on('retrying', onOther)
  outbox.on('dead', onOther)
  try {
    const started = now()
    let next = 0
    const producer = async () => {
      for (;;) {
        const i = next
        if (i >= n) return
        const count = Math.min(perCommit, n - i)
        next += count
        if (ratePerSec) {
          const due = started + (i * 1000) / ratePerSec
          const wait = due - now()
          if (wait > 1) await sleep(wait)
        }
        const ids = await produce(startAt + i, count)
        const at = now()
        for (const id of ids) committed.set(id, at)
        if (!ratePerSec && producers === 1) await tick()
      }
    }
    await Promise.all(Array.from({ length: producers }, producer))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))])
    clearTimeout(timer)
    if (delivered < n) throw new Error(`only ${delivered} of ${n} delivered within ${timeoutMs / 1000} s (${failed} retrying/dead)`)
    const seconds = (lastDelivered - started) / 1000
    const { count, receipts } = await receiver.collect()
    const latencies: number[] = []
    for (const [id, at] of committed) {
      const got = receipts[id]
      if (got !== undefined) latencies.push(got - at)
    }
    return {
      messages: n,
      seconds,
      perSecond: n / seconds,
      ...quantiles(latencies),
      max: percentile(latencies, 1),
      received: count,
    }
  } finally {
    outbox.off('delivered', onDelivered)
    outbox.off('retrying', onOther)
    outbox.off('dead', onOther)
  }
}

/** One raw undici run. */
export interface RawRun {
  messages: number
  seconds: number
  perSecond: number
  /** request start → receipt, ms. */
  p50: number
  p99: number
  /** The machine's CPU over the timed requests (client, receiver and anything else running). */
  cpu: CpuSpent
  /** This (client) process's CPU per request, µs: the receiver runs in another. */
  clientCpuUs: number
}

/**
 * POSTs `n` bodies to the receiver with `concurrency` workers through one undici Agent, reading
 * each response, with headers like Hookbox's. Includes a warm-up of `warm` requests.
 */
/** The headers a raw POST carries: the webhook headers the engine sends, unsigned. */
export const rawHeaders = (id: string): Record<string, string> => ({
  'user-agent': 'Hookbox/0.1',
  'content-type': 'application/json',
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
  'x-hookbox-event-type': 'entity.state_changed',
  'x-hookbox-request-id': id,
})

export async function runRaw(
  receiver: Receiver,
  n: number,
  options: { concurrency?: number; connections?: number; warm?: number } = {},
): Promise<RawRun> {
  const { concurrency = 32, connections, warm = 500 } = options
  const agent = new Agent({ keepAliveTimeout: 10_000, ...(connections ? { connections } : {}) })
  const url = `${receiver.url}/hook`
  const bodies = Array.from({ length: n + warm }, (_, i) => JSON.stringify(payloadFor(i)))
  try {
    const sent = new Map<string, number>()
    const batch = async (from: number, to: number, record: boolean) => {
      let next = from
      const worker = async () => {
        for (;;) {
          const i = next++
          if (i >= to) return
          const id = `raw_${i}`
          if (record) sent.set(id, now())
          const res = await request(url, {
            method: 'POST',
            dispatcher: agent,
            body: bodies[i]!,
            headers: rawHeaders(id),
            headersTimeout: 30_000,
            bodyTimeout: 30_000,
          })
          await res.body.text()
          if (res.statusCode !== 200) throw new Error(`receiver answered ${res.statusCode}`)
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
    }
    await batch(0, warm, false)
    await receiver.reset()
    const started = now()
    const cpu0 = machineCpu()
    const own0 = process.cpuUsage()
    await batch(warm, warm + n, true)
    const own = process.cpuUsage(own0)
    const cpu = cpuSince(cpu0, n)
    const seconds = (now() - started) / 1000
    const { receipts } = await receiver.collect()
    const latencies = [...sent].flatMap(([id, at]) => (receipts[id] === undefined ? [] : [receipts[id]! - at]))
    return {
      messages: n,
      seconds,
      perSecond: n / seconds,
      ...quantiles(latencies),
      cpu,
      clientCpuUs: (own.user + own.system) / n,
    }
  } finally {
    await agent.close()
  }
}
