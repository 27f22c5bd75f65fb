import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOutbox, policies, type AttemptEvent, type Outbox } from '@hookbox/core'
import { TestReceiver, localReceivers, eventually } from '@hookbox/core/testing'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

/** The dispatcher loop on the real clock: wake-ups, stop, takeover, hostile receivers. */
describe('sqlite: running dispatcher', () => {
  let t: ReturnType<typeof tempDatabase>
  let receiver: TestReceiver
  const outboxes: Outbox[] = []

  function make(options: Partial<Parameters<typeof createOutbox>[0]> = {}) {
    const o = createOutbox({ ...localReceivers, store: sqliteStore({ database: t.db }), ...options })
    outboxes.push(o)
    return o
  }

  beforeEach(async () => {
    t = tempDatabase()
    receiver = await TestReceiver.start()
    const o = make()
    await o.migrate()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close()
    await receiver.close()
    t.cleanup()
  })

  async function setup(o: Outbox, policy = policies.fixed(), path = '/hook') {
    await o.collections.upsert({ name: 'events', policy })
    return o.endpoints.create({ collection: 'events', url: `${receiver.url}${path}` })
  }

  it('delivers right after commit without waiting for the poll interval', { timeout: 30_000 }, async () => {
    // An hour's poll: a delivery before the test's timeout can only come from the commit's wake-up.
    const o = make({ dispatcher: { pollIntervalMs: 3_600_000 } })
    await setup(o)
    o.start()
    await new Promise((r) => setTimeout(r, 50))
    t.db.transaction(() => o.notify({ type: 'entity.changed', payload: {} }, { transaction: t.db }))()
    await receiver.waitFor(1, undefined, 25_000)
  })

  it(
    'a restarted dispatcher delivers what was committed while it was stopped without waiting for the poll interval',
    { timeout: 30_000 },
    async () => {
      // An hour's poll, as above: the second delivery can only come from start() looking at once.
      const o = make({ dispatcher: { pollIntervalMs: 3_600_000 } })
      await setup(o)
      o.start()
      await o.notify({ type: 'entity.changed', payload: { n: 1 } })
      await receiver.waitFor(1, undefined, 25_000)
      await o.stop()
      await o.notify({ type: 'entity.changed', payload: { n: 2 } })
      o.start()
      await receiver.waitFor(2, undefined, 25_000)
    },
  )

  it("expanding a backlog leaves the host's event loop turns: an immediate queued at start runs before the backlog is expanded", async () => {
    // SQLite answers synchronously, so a loop that never yields would expand every batch in one
    // run of microtasks: the host's requests (and our own sends) would wait for the whole backlog.
    const o = make({ dispatcher: { batchSize: 100 } })
    await setup(o)
    await o.notifyMany(Array.from({ length: 1000 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    const unexpanded = () => (t.db.prepare('SELECT count(*) AS n FROM hookbox_messages WHERE expanded = 0').get() as { n: number }).n
    const seen = new Promise<number>((resolve) => setImmediate(() => resolve(unexpanded())))
    o.start()
    expect(await seen).toBeGreaterThan(0)
    await receiver.waitFor(1000, undefined, 25_000)
    expect(unexpanded()).toBe(0)
  })

  it('stop() waits for attempts in flight and records them', async () => {
    receiver.on('/hook', async () => {
      await new Promise((r) => setTimeout(r, 300))
      return 200
    })
    const o = make({ health: { initialWindow: 5 } })
    await setup(o)
    o.start()
    await o.notifyMany(Array.from({ length: 5 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    await receiver.waitFor(1)
    await o.stop()
    const states = (await o.deliveries.list()).map((d) => d.state)
    expect(states).toEqual(Array(5).fill('delivered'))
  })

  it('a dispatcher killed mid-flight leaves its work to a new one after the lease', async () => {
    let hang = true
    receiver.on('/hook', async () => {
      if (hang) await new Promise((r) => setTimeout(r, 1_500))
      return 200
    })
    // The doomed dispatcher has its own connection, closed under it as a crash would.
    const ownDb = new Database(t.path)
    // All ten in flight at once to a receiver that has not answered yet: a wide window.
    const first = make({ store: sqliteStore({ database: ownDb }), dispatcher: { leaseMs: 5_000 }, health: { initialWindow: 10 } })
    await setup(first, policies.fixed({ timeoutMs: 3_000 }))
    await first.notifyMany(Array.from({ length: 10 }, (_, n) => ({ type: 'entity.changed', payload: { n } })))
    first.start()
    await receiver.waitFor(10)
    await first.stop({ timeout: 10 })
    ownDb.close()
    hang = false
    const second = make({ dispatcher: { leaseMs: 5_000, pollIntervalMs: 100 } })
    second.start()
    await eventually(async () => (await second.deliveries.list()).every((d) => d.state === 'delivered'), 15_000)
    const perMessage = new Map<string, number>()
    for (const r of receiver.requests)
      perMessage.set(String(r.headers['webhook-id']), (perMessage.get(String(r.headers['webhook-id'])) ?? 0) + 1)
    expect(perMessage.size).toBe(10)
    // Each was in flight at the crash, so each is sent twice: at-least-once, never lost.
    expect([...perMessage.values()]).toEqual(Array(10).fill(2))
  })

  it('supports await using', async () => {
    {
      await using o = make()
      await setup(o)
      o.start()
      await o.notify({ type: 'entity.changed', payload: {} })
      await receiver.waitFor(1)
    }
    expect(receiver.requests).toHaveLength(1)
  })

  it('fireOnce times out at 5 s and is failed, never retried', async () => {
    // The receiver answers only once the test is over, so the attempt can end only by its
    // timeout; a timer never fires early, so the elapsed time is a lower bound that load
    // cannot break (no upper margin on the real clock).
    let release = () => {}
    const held = new Promise<void>((r) => (release = r))
    receiver.on('/hook', async () => {
      await held
      return 200
    })
    try {
      const o = make()
      await setup(o, policies.fireOnce())
      const seen: AttemptEvent[] = []
      o.on('attempt', (a) => seen.push(a))
      const t0 = performance.now()
      await o.notify({ type: 'async.completed', payload: {} })
      await o.drain()
      expect(performance.now() - t0).toBeGreaterThanOrEqual(5_000)
      expect(seen).toHaveLength(1)
      expect(seen[0]!.error).toMatch(/^timeout/)
      expect((await o.deliveries.list())[0]!.state).toBe('failed')
      expect(receiver.requests).toHaveLength(1)
    } finally {
      release()
    }
  }, 30_000)

  it('a slow, resetting, redirecting or 50 MB receiver cannot stall or crash the dispatcher', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 'x')
    receiver
      .on('/silent', async () => {
        await new Promise((r) => setTimeout(r, 10_000))
        return 200
      })
      .on('/trickle', async (_r, res) => {
        res.writeHead(200)
        res.write('a')
        await new Promise((r) => setTimeout(r, 10_000))
        res.end()
        return 'handled' as const
      })
      .on('/reset', (_r, res) => {
        res.socket?.destroy()
        return 'handled'
      })
      .on('/redirect', (_r, res) => {
        res.writeHead(302, { location: `${receiver.url}/target` }).end()
        return 'handled'
      })
      .on('/huge', (_r, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(big)
        return 'handled'
      })
    const o = make()
    await o.collections.upsert({ name: 'events', policy: policies.fixed({ timeoutMs: 1_000 }) })
    for (const p of ['/silent', '/trickle', '/reset', '/redirect', '/huge', '/fine'])
      await o.endpoints.create({ collection: 'events', url: `${receiver.url}${p}` })
    const seen: AttemptEvent[] = []
    o.on('attempt', (a) => seen.push(a))
    const rss = process.memoryUsage().rss
    // /silent and /trickle answer after 10 s, past the 1 s timeout: drain() ends only through it.
    await o.notify({ type: 'entity.changed', payload: {} })
    await o.drain()
    const by = (p: string) => seen.find((a) => a.url.endsWith(p))!
    expect(by('/fine').outcome).toBe('ack')
    expect(by('/silent').error).toMatch(/^timeout/)
    expect(by('/trickle')).toMatchObject({ statusCode: 200, outcome: 'ack' }) // the status came in time; the body is not awaited
    expect(by('/reset').outcome).toBe('error')
    expect(by('/redirect')).toMatchObject({ statusCode: 302, outcome: 'retry' })
    expect(receiver.to('/target')).toHaveLength(0)
    expect(by('/huge')).toMatchObject({ statusCode: 200, outcome: 'ack' })
    expect(process.memoryUsage().rss - rss).toBeLessThan(40 * 1024 * 1024)
    const huge = (await o.deliveries.list()).find(
      (d) => d.endpointId && seen.find((a) => a.url.endsWith('/huge'))!.endpointId === d.endpointId,
    )!
    const log = (await o.deliveries.get(huge.id)).attemptLog[0]!
    expect(log.responseSnippet!.length).toBeLessThanOrEqual(1024)
  })
})
