import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, createSecurity, ManualClock, silentLogger, type Logger, type OutboxOptions } from '../../src/index.js'
import { useOutboxes } from '../auth/support.js'

// `development: true` is the quick start's one switch: http: and loopback receivers, nothing more.
describe('development mode', () => {
  const fx = useOutboxes()
  const warnings: string[] = []
  const logger: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) }
  const make = (options: Partial<OutboxOptions> = {}) => fx.plain({ clock: new ManualClock(Date.now()), logger, ...options })
  beforeEach(() => {
    warnings.length = 0
  })

  it('is off by default: http: and loopback receivers are refused', async () => {
    const o = await make()
    await expect(o.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook` })).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
    })
    await expect(o.endpoints.create({ collection: 'events', url: 'http://hooks.example.com/x' })).rejects.toMatchObject({
      code: 'INVALID_URL',
    })
    const allowHttp = await make({ http: { allowHttp: true } })
    await expect(allowHttp.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook` })).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
    })
    expect(warnings).toEqual([])
  })

  it('delivers to an http receiver on 127.0.0.1 and on localhost, and says so in the log', async () => {
    const o = await make({ development: true })
    await o.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/ip` })
    await o.endpoints.create({ collection: 'events', url: `${fx.receiver.url.replace('127.0.0.1', 'localhost')}/name` })
    await o.notify({ type: 'entity.changed', payload: { n: 1 } })
    await o.drain()
    expect(fx.receiver.requests.map((r) => r.path).sort()).toEqual(['/ip', '/name'])
    expect(warnings).toEqual(['hookbox: development mode, http: and loopback endpoint URLs are allowed'])
  })

  it.each(['https://10.0.0.1/hook', 'https://192.168.1.1/hook', 'https://169.254.169.254/latest/meta-data', 'http://[::ffff:10.0.0.1]/x'])(
    'still refuses %s',
    async (url) => {
      const o = await make({ development: true })
      await expect(o.endpoints.create({ collection: 'events', url })).rejects.toMatchObject({ code: 'SSRF_BLOCKED' })
    },
  )

  it('keeps an explicit allowHttp: false and the caller’s own allow-list', async () => {
    const o = await make({ development: true, http: { allowHttp: false }, security: { ssrf: { allow: ['10.0.0.0/8'] } } })
    await expect(o.endpoints.create({ collection: 'events', url: `${fx.receiver.url}/hook` })).rejects.toMatchObject({
      code: 'INVALID_URL',
    })
    await o.endpoints.create({ collection: 'events', url: 'https://10.0.0.1/hook' })
    await o.endpoints.create({ collection: 'events', url: `${fx.receiver.url.replace('http:', 'https:')}/hook` })
  })

  it('refuses a malformed value and a security object built beforehand', () => {
    const store = sqliteStore({ database: new Database(':memory:') })
    expect(() => createOutbox({ store, development: 'yes' as never })).toThrow(/development must be true or false/)
    expect(() => createOutbox({ store, development: true, security: createSecurity() })).toThrow(/cannot widen a security object/)
  })
})
