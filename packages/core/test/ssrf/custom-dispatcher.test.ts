import Database from 'better-sqlite3'
import { Agent, type Dispatcher } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, createSecurity, ManualClock, ValidationError, type Outbox, type OutboxOptions } from '../../src/index.js'
import { useOutboxes } from '../auth/support.js'

/** An Agent that counts the requests it dispatches. */
class CountingAgent extends Agent {
  dispatched = 0
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.dispatched++
    return super.dispatch(options, handler)
  }
}

// Issue 15, finding 4: a custom http.dispatcher silently switched the SSRF check off at send
// time, so a default outbox with one delivered to http://localhost.
describe('ssrf: a custom http.dispatcher', () => {
  const fx = useOutboxes()
  let agent: CountingAgent
  const make = (options: Partial<OutboxOptions>) => fx.plain({ clock: new ManualClock(Date.now()), ...options })

  beforeEach(() => {
    agent = new CountingAgent()
  })
  afterEach(() => agent.close())

  it('is refused while the SSRF guard is on, so it cannot deliver around it', async () => {
    let outbox: Outbox | undefined
    let refused: unknown
    try {
      outbox = await make({ http: { allowHttp: true, dispatcher: agent } })
    } catch (err) {
      refused = err
    }
    // What used to happen: the guard never saw the dispatcher's connections.
    if (outbox) {
      await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url.replace('127.0.0.1', 'localhost')}/hook` })
      await outbox.notify({ type: 'entity.changed', payload: {} })
      await outbox.drain()
    }
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as Error).message).toMatch(/http\.dispatcher .*security\.ssrf\.enabled: false/)
    expect(agent.dispatched).toBe(0)
    expect(fx.receiver.requests).toHaveLength(0)
    expect(() =>
      createOutbox({ store: sqliteStore({ database: new Database(':memory:') }), http: { dispatcher: agent }, security: createSecurity() }),
    ).toThrow(ValidationError)
  })

  it.each([
    ['options', { ssrf: { enabled: false } }],
    ['createSecurity()', createSecurity({ ssrf: { enabled: false } })],
  ])('is used when the guard is turned off in the same options (%s)', async (_name, security) => {
    const outbox = await make({ http: { allowHttp: true, dispatcher: agent }, security })
    await outbox.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook` })
    await outbox.notify({ type: 'entity.changed', payload: {} })
    await outbox.drain()
    expect(agent.dispatched).toBe(1)
    expect(fx.receiver.requests).toHaveLength(1)
  })
})
