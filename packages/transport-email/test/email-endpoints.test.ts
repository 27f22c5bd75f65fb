import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidUrlError, policies, type ManualClock, type Outbox } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'
import { TestReceiver, testOutbox } from '@hookbox/core/testing'
import { EMAIL_RATE_CAP_REACHED, emailTransport, type EmailTransportOptions } from '../src/index.js'
import { findPart } from './support/mime.js'
import { closedPort, silentServer, SmtpSink } from './support/smtp-sink.js'

/** Email endpoints end to end: a real SQLite store, a real SMTP server and HTTP receiver, a manual clock. */
describe('email endpoints through the outbox', () => {
  let db: Database.Database
  let sink: SmtpSink
  let receiver: TestReceiver
  let outbox: Outbox
  let clock: ManualClock
  const cleanups: Array<() => Promise<void>> = []

  async function make(mail: Partial<EmailTransportOptions> = {}) {
    ;({ outbox, clock } = testOutbox(sqliteStore({ database: db }), {
      transports: [emailTransport({ host: '127.0.0.1', port: sink.port, from: 'Hookbox <hookbox@example.com>', ...mail })],
    }))
    cleanups.push(() => outbox.close())
    await outbox.migrate()
    return outbox
  }

  /** The collection's one delivery to `endpointId`, with its attempt log. */
  async function deliveryOf(endpointId: string) {
    const [d] = await outbox.deliveries.list({ endpointId })
    expect(d).toBeDefined()
    return outbox.deliveries.get(d!.id)
  }

  /** Jumps the clock to the delivery's next attempt and runs one pass. */
  async function retry(endpointId: string) {
    const d = await deliveryOf(endpointId)
    expect(d.state).toBe('pending')
    clock.set(d.nextAttemptAt!)
    await outbox.drain()
  }

  beforeEach(async () => {
    db = new Database(':memory:')
    sink = await SmtpSink.start()
    receiver = await TestReceiver.start()
  })
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
    await receiver.close()
    await sink.close()
    db.close()
  })

  it('delivers one event to an https-style and a mailto: endpoint of the same collection', async () => {
    await make()
    await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.fixed() })
    const http = await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    const mail = await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    const payload = { entityId: 'e1', from: 'FAIL', to: 'PASS', notificationType: 'EVENT' }
    const { messageId, requestId } = await outbox.notify({ type: 'entity.state_changed', payload, requestId: '01EKVV810DC7NJEC97BAQJZXWR' })
    await outbox.drain()

    expect(receiver.requests).toHaveLength(1)
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual(payload)

    expect(sink.mails).toHaveLength(1)
    const m = sink.mails[0]!
    expect(m.from).toBe('hookbox@example.com')
    expect(m.to).toEqual(['ops@example.com'])
    expect(m.headers.subject).toBe(`[hookbox] entity.state_changed ${requestId}`)
    expect(m.headers['x-webhook-id']).toBe(messageId)
    expect(m.headers['x-hookbox-event-type']).toBe('entity.state_changed')
    expect(m.headers['x-hookbox-request-id']).toBe(requestId)
    expect(m.headers['auto-submitted']).toBe('auto-generated')
    const text = findPart(m, 'text/plain')!.body
    expect(JSON.parse(text)).toEqual(payload)
    expect(text.trimEnd()).toBe(JSON.stringify(payload, null, 2))
    expect(findPart(m, 'application/json')!.body).toBe(JSON.stringify(payload))

    expect((await deliveryOf(http.id)).state).toBe('delivered')
    const viaMail = await deliveryOf(mail.id)
    expect(viaMail.state).toBe('delivered')
    expect(viaMail.attemptLog).toMatchObject([{ url: 'mailto:ops@example.com', statusCode: 250, outcome: 'ack' }])
    expect(viaMail.attemptLog[0]!.responseSnippet).toMatch(/^250 /)
  })

  it('majority: an acknowledged mail counts like an acknowledged HTTP request', async () => {
    await make()
    receiver.on('*', 500)
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed(), failureMode: 'majority' })
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/a` })
    await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    await outbox.endpoints.create({ collection: 'events', url: 'mailto:audit@example.com' })
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await outbox.drain()
    const [d] = await outbox.deliveries.list()
    expect(d!.state).toBe('delivered')
    expect(sink.mails.map((m) => m.to[0]).sort()).toEqual(['audit@example.com', 'ops@example.com'])
  })

  it('a 4xx reply (451) is retried by the policy until the mailbox accepts', async () => {
    await make()
    sink.refuse('later@example.com', 451)
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
    const ep = await outbox.endpoints.create({ collection: 'events', url: 'mailto:later@example.com' })
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await outbox.drain()
    let d = await deliveryOf(ep.id)
    expect(d).toMatchObject({ state: 'pending', attempts: 1 })
    expect(d.attemptLog).toMatchObject([{ statusCode: 451, outcome: 'retry' }])
    expect(d.attemptLog[0]!.responseSnippet).toContain('Try again later')
    expect(d.nextAttemptAt! - d.attemptLog[0]!.startedAt).toBe(15 * 60_000)

    await retry(ep.id)
    expect(await deliveryOf(ep.id)).toMatchObject({ state: 'pending', attempts: 2 })
    expect(sink.mails).toHaveLength(0)

    sink.accept('later@example.com')
    await retry(ep.id)
    d = await deliveryOf(ep.id)
    expect(d).toMatchObject({ state: 'delivered', attempts: 3 })
    expect(d.attemptLog.map((a) => [a.statusCode, a.outcome])).toEqual([
      [451, 'retry'],
      [451, 'retry'],
      [250, 'ack'],
    ])
    expect(sink.to('later@example.com')).toHaveLength(1)
  })

  it('a 5xx reply (550 unknown mailbox) dead-letters at once', async () => {
    await make()
    sink.refuse('nobody@example.com', 550)
    const dead: string[] = []
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
    const ep = await outbox.endpoints.create({ collection: 'events', url: 'mailto:nobody@example.com' })
    outbox.on('dead', (e) => dead.push(e.delivery.id))
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await outbox.drain()
    const d = await deliveryOf(ep.id)
    expect(d).toMatchObject({ state: 'dead', attempts: 1 })
    expect(d.attemptLog).toMatchObject([{ statusCode: 550, outcome: 'stop' }])
    expect((await outbox.deadLetters.list()).map((x) => x.id)).toEqual([d.id])
    expect(dead).toEqual([d.id])
    // Unlike HTTP 410, an SMTP code never disables the endpoint.
    expect((await outbox.endpoints.get(ep.id)).enabled).toBe(true)

    // Replayed once the mailbox exists, it goes through.
    sink.accept('nobody@example.com')
    await outbox.deadLetters.replay(d.id)
    await outbox.drain()
    expect((await deliveryOf(ep.id)).state).toBe('delivered')
  })

  it('a relay that refuses connections is retried, then reached', async () => {
    const port = await closedPort()
    await make({ port })
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
    const ep = await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await outbox.drain()
    const d = await deliveryOf(ep.id)
    expect(d).toMatchObject({ state: 'pending', attempts: 1 })
    expect(d.attemptLog).toMatchObject([{ statusCode: null, outcome: 'error' }])
    expect(d.attemptLog[0]!.error).toMatch(/^connection: .*ECONNREFUSED/)

    const late = await SmtpSink.start(port)
    cleanups.push(() => late.close())
    await retry(ep.id)
    expect(await deliveryOf(ep.id)).toMatchObject({ state: 'delivered', attempts: 2 })
    expect(late.mails).toHaveLength(1)
  })

  it('a relay that never greets times out within the attempt timeout, and is retried', async () => {
    const silent = await silentServer()
    cleanups.push(() => silent.close())
    await make({ port: silent.port })
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed({ timeoutMs: 300 }) })
    const ep = await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    // The relay never greets: the drain ends only through the 300 ms timeout.
    await outbox.drain()
    const d = await deliveryOf(ep.id)
    expect(d).toMatchObject({ state: 'pending', attempts: 1 })
    expect(d.attemptLog[0]!.error).toBe('timeout: timed out')
  })

  it('an attempt beyond the rate cap fails as retryable and goes out on a later retry', async () => {
    await make({ maxPerMinute: 1 })
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed({ timeoutMs: 200 }) })
    const ep = await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await outbox.notify({ type: 'entity.changed', payload: { n: 2 } })
    await outbox.drain()
    const ds = await outbox.deliveries.list({ endpointId: ep.id })
    expect(ds.map((d) => d.state).sort()).toEqual(['delivered', 'pending'])
    const capped = await outbox.deliveries.get(ds.find((d) => d.state === 'pending')!.id)
    expect(capped.attemptLog).toMatchObject([{ outcome: 'error', error: `other: ${EMAIL_RATE_CAP_REACHED}` }])
    expect(sink.mails).toHaveLength(1)
  })

  it('refuses malformed mailto: endpoints, and mailto: altogether without the email transport', async () => {
    await make()
    await outbox.collections.upsert({ name: 'events' })
    for (const url of ['mailto:ops@example.com?cc=boss@example.com', 'mailto:a@example.com,b@example.com', 'mailto:not-an-address'])
      await expect(outbox.endpoints.create({ collection: 'events', url })).rejects.toThrow(InvalidUrlError)
    const ep = await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    await expect(outbox.endpoints.update(ep.id, { url: 'mailto:ops@example.com?bcc=x@example.com' })).rejects.toThrow(InvalidUrlError)

    const { outbox: plain } = testOutbox(sqliteStore({ database: db }))
    cleanups.push(() => plain.close())
    const refusal = plain.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
    await expect(refusal).rejects.toThrow(InvalidUrlError)
    await expect(refusal).rejects.toThrow(/mailto:/)
  })
})
