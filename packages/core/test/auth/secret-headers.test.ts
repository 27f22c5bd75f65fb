import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { runCli } from '@hookbox/cli'
import { createOutbox, ManualClock, policies, type EndpointRecord, type Outbox } from '../../src/index.js'
import { TestReceiver } from '@hookbox/core/testing'
import { endpointRow, insertRow } from './endpoint-rows.js'
import fixture from './fixtures/release-0.1-endpoints.json' with { type: 'json' }
import { LOCAL } from './support.js'

const SECRETS = ['k-secret-1-value', 'hdr-secret-2-value']

// Issue 15, finding 3: custom header values were shown by get, list and the CLI's --json,
// and stored unencrypted.
describe('every header value is a credential unless marked public', () => {
  let receiver: TestReceiver
  let dir: string
  let file: string
  let db: Database.Database
  let outbox: Outbox
  const logged: unknown[] = []
  const emitted: unknown[] = []

  beforeEach(async () => {
    receiver = await TestReceiver.start()
    dir = mkdtempSync(join(tmpdir(), 'hookbox-secret-headers-'))
    file = join(dir, 'app.db')
    db = new Database(file)
    const log = (...args: unknown[]) => logged.push(args)
    outbox = createOutbox({
      store: sqliteStore({ database: db }),
      clock: new ManualClock(Date.now()),
      http: { allowHttp: true },
      security: { ssrf: { allow: LOCAL }, encryptionKey: randomBytes(32) },
      logger: { error: log, warn: log, info: log, debug: log },
    })
    for (const name of ['attempt', 'delivered', 'retrying', 'failed', 'dead', 'error'] as const) outbox.on(name, (e) => emitted.push(e))
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
  })
  afterEach(async () => {
    await outbox.close()
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
    logged.length = emitted.length = 0
  })

  it('redacts them in every view, event, log line and CLI output, encrypts them at rest, and sends them', async () => {
    const e = await outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/hook`,
      headers: { 'X-Api-Key': SECRETS[0]!, authorization: `Bearer ${SECRETS[1]}` },
      publicHeaders: { 'x-tenant': 'acme' },
    })
    const shown = { 'x-api-key': '[redacted]', authorization: '[redacted]', 'x-tenant': 'acme' }
    expect(e.headers).toEqual(shown)
    expect((await outbox.endpoints.get(e.id)).headers).toEqual(shown)
    expect((await outbox.endpoints.list())[0]!.headers).toEqual(shown)
    // A failing answer, so that retries, errors and logs have their say too.
    receiver.on('/hook', (_r, _res, n) => (n === 1 ? 503 : 200))
    await outbox.notify({ type: 'entity.changed', payload: {} })
    await outbox.drain()
    await outbox.drain()
    const [first] = receiver.requests
    expect(first!.headers['x-api-key']).toBe(SECRETS[0])
    expect(first!.headers.authorization).toBe(`Bearer ${SECRETS[1]}`)
    expect(first!.headers['x-tenant']).toBe('acme')

    const [delivery] = await outbox.deliveries.list()
    const cli = async (...args: string[]) => {
      let out = ''
      const code = await runCli([...args, '--db', file], {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
        env: {},
        cwd: process.cwd(),
      })
      expect(code, out).toBe(0)
      return out
    }
    const printed = [await cli('endpoints', 'list', '--json'), await cli('endpoints', 'list'), await cli('endpoints', 'disable', e.id)]
    printed.push(await cli('deliveries', 'show', delivery!.id, '--json'), await cli('endpoints', 'enable', e.id, '--json'))
    expect(JSON.parse(printed[0]!).endpoints[0].headers).toEqual(shown)
    expect(JSON.parse(printed[4]!).endpoint.headers).toEqual(shown)
    const everything = JSON.stringify([
      e,
      await outbox.endpoints.list(),
      await outbox.deliveries.get(delivery!.id),
      emitted,
      logged,
      printed,
      readFileSync(file).toString('latin1'),
    ])
    for (const s of SECRETS) expect(everything).not.toContain(s)
    expect(endpointRow(db, e.id).auth).toMatchObject({ headerNames: ['x-api-key', 'authorization'], enc: expect.stringMatching(/^v1:/) })
  })

  it('keeps headers when an update leaves them out, replaces them when given, and refuses clashes', async () => {
    const e = await outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/hook`,
      auth: { type: 'basic' },
      headers: { 'x-api-key': SECRETS[0]! },
    })
    await outbox.endpoints.update(e.id, { description: 'x', publicHeaders: { 'x-region': 'eu' } })
    await outbox.notify({ type: 'entity.changed', payload: {} })
    await outbox.drain()
    expect(receiver.requests[0]!.headers).toMatchObject({ 'x-api-key': SECRETS[0], 'x-region': 'eu' })
    const replaced = await outbox.endpoints.update(e.id, { headers: { 'x-other': 'v' } })
    expect(replaced.headers).toEqual({ 'x-other': '[redacted]', 'x-region': 'eu' })
    await expect(outbox.endpoints.update(e.id, { headers: { 'x-region': 'a' } })).rejects.toMatchObject({ code: 'VALIDATION' })
    // Basic auth writes Authorization itself; a header must not shadow it.
    await expect(outbox.endpoints.update(e.id, { headers: { authorization: 'x' } })).rejects.toThrow(/set by auth basic/)
    await expect(outbox.endpoints.update(e.id, { publicHeaders: { authorization: 'x' } })).rejects.toThrow(/set by auth basic/)
  })

  it('redacts the headers an earlier release stored in clear, still sends them, and seals them on resealSecrets', async () => {
    const other = createOutbox({
      store: sqliteStore({ database: db }),
      clock: new ManualClock(Date.now()),
      http: { allowHttp: true },
      security: { ssrf: { allow: LOCAL }, encryptionKey: fixture.encryptionKey },
    })
    try {
      const basic = { tenant: null, name: null, ...fixture.endpoints.basic } as EndpointRecord
      insertRow(db, { ...basic, url: `${receiver.url}/basic` })
      expect((await other.endpoints.get(basic.id)).headers).toEqual({ 'x-api-key': '[redacted]' })
      await other.notify({ type: 'entity.changed', payload: {} })
      await other.drain()
      expect(receiver.requests[0]!.headers['x-api-key']).toBe('legacy-api-key')
      expect(endpointRow(db, basic.id).text).toContain('legacy-api-key')

      expect(await other.endpoints.resealSecrets()).toEqual({ resealed: 1, unapplied: [] })
      expect(endpointRow(db, basic.id).text).not.toContain('legacy-api-key')
      expect((await other.endpoints.get(basic.id)).headers).toEqual({ 'x-api-key': '[redacted]' })
      await other.notify({ type: 'entity.changed', payload: {} })
      await other.drain()
      expect(receiver.requests[1]!.headers).toMatchObject({ 'x-api-key': 'legacy-api-key', authorization: 'Basic legacy-basic-token' })
    } finally {
      await other.close()
    }
  })
})
