import { afterAll, assert, beforeAll, expect, it } from 'vitest'
import { createOutbox, policies, type Outbox, type Store } from '@hookbox/core'
import { TestReceiver, localReceivers } from '@hookbox/core/testing'
import { cli, cliInProcess } from './run-cli.js'

/** A store for the CLI scenario and how the CLI reaches the same database. */
export interface CliHarness {
  store: Store
  /** Global options pointing the CLI at the database (`--db …`, `--schema …`). */
  dbArgs: string[]
  /** The same through the environment (`HOOKBOX_DATABASE`, `HOOKBOX_SCHEMA`). */
  env: Record<string, string>
  cleanup(): Promise<void>
}

const COMMANDS = [
  'endpoints list',
  'endpoints enable',
  'endpoints disable',
  'deliveries list',
  'deliveries show',
  'dead-letters list',
  'dead-letters replay',
  'dead-letters purge',
  'tenants list',
  'tenants disable',
  'tenants enable',
  'tenants purge',
  'purge',
  'stats',
  'migrate',
]

/**
 * The end-to-end CLI scenario: a real outbox dead-letters deliveries to a local receiver that
 * answers 400, then the CLI (a child process) lists, shows, replays and purges them.
 */
export function cliScenario(open: () => Promise<CliHarness>): void {
  let h: CliHarness
  let outbox: Outbox
  let receiver: TestReceiver
  const ids = {} as Record<'bad' | 'ok' | 'audit' | 'token', string>

  beforeAll(async () => {
    h = await open()
    receiver = (await TestReceiver.start()).on('/bad', 400).on('/ok', 200)
    outbox = createOutbox({ ...localReceivers, store: h.store, retention: { everyMs: 0 } })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.exponential() })
    await outbox.collections.upsert({ name: 'audit', events: ['audit.*'], policy: policies.exponential() })
    const bad = await outbox.endpoints.create({
      collection: 'events',
      url: `${receiver.url}/bad`,
      auth: { type: 'basic' },
      description: 'always 400',
    })
    ids.bad = bad.id
    ids.token = bad.secrets!.token!
    ids.ok = (await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/ok` })).id
    ids.audit = (await outbox.endpoints.create({ collection: 'audit', url: `${receiver.url}/bad` })).id
    await outbox.notify({ type: 'entity.created', payload: { n: 1 }, requestId: 'req-1' })
    await outbox.notify({ type: 'entity.updated', payload: { n: 2 }, requestId: 'req-2' })
    await outbox.notify({ type: 'audit.logged', payload: { n: 3 }, requestId: 'req-3' })
    await settle(3)
  })

  afterAll(async () => {
    await outbox?.close()
    await receiver?.close()
    await h?.cleanup()
  })

  /** Drains until `dead` dead letters exist and nothing is pending. */
  async function settle(dead: number) {
    for (let i = 0; i < 10; i++) {
      await outbox.drain()
      const [d, p] = await Promise.all([outbox.deadLetters.list(), outbox.deliveries.list({ state: 'pending' })])
      if (d.length === dead && p.length === 0) return
    }
    assert.fail(`expected ${dead} dead letters`)
  }

  // Child processes (`spawn`) for the commands that matter most end to end; the rest in process.
  const spawnCli = (...args: string[]) => cli([...h.dbArgs, ...args])
  const run = (...args: string[]) => cliInProcess([...h.dbArgs, ...args])

  it('reads endpoints, deliveries, dead letters and stats as JSON and as tables; --help; usage errors', { timeout: 120_000 }, async () => {
    const [deadLetter] = await outbox.deadLetters.list({ endpointId: ids.bad })
    const [
      help,
      cmdHelp,
      eps,
      epsTable,
      audit,
      byRequest,
      deadTable,
      show,
      showJson,
      dl,
      dlTable,
      stats,
      statsTable,
      unknown,
      badOption,
      missingArg,
      notFound,
    ] = await Promise.all([
      cli(['--help']),
      cliInProcess(['dead-letters', 'purge', '--help']),
      cli(['endpoints', 'list', '--json'], h.env), // the database from HOOKBOX_DATABASE
      spawnCli('endpoints', 'list'),
      run('endpoints', 'list', '--collection', 'audit', '--json'),
      run('deliveries', 'list', '--request-id', 'req-1', '--json'),
      run('deliveries', 'list', '--request-id', 'req-1', '--state', 'dead'),
      spawnCli('deliveries', 'show', deadLetter!.id),
      run('deliveries', 'show', deadLetter!.id, '--json'),
      run('dead-letters', 'list', '--json', '--limit', '2'),
      run('dead-letters', 'list', '--collection', 'audit'),
      spawnCli('stats', '--json'),
      run('stats'),
      cli(['bogus']),
      run('endpoints', 'list', '--limit', '3'),
      run('deliveries', 'show'),
      spawnCli('deliveries', 'show', 'NOPE', '--json'),
    ])

    expect(help.code).toBe(0)
    for (const c of COMMANDS) expect(help.stdout).toContain(c)
    for (const o of ['--db', '--schema', '--json', '--help', '--debug']) expect(help.stdout).toContain(o)
    expect(cmdHelp.code).toBe(0)
    for (const o of ['--before', '--collection', '--all', '--json']) expect(cmdHelp.stdout).toContain(o)

    expect(eps.code, eps.stderr).toBe(0)
    const endpoints = eps.json().endpoints
    expect(endpoints.map((e: { id: string }) => e.id).sort()).toEqual([ids.bad, ids.ok, ids.audit].sort())
    expect(endpoints.find((e: { id: string }) => e.id === ids.bad).auth.type).toBe('basic')
    expect(eps.stdout).not.toContain(ids.token) // secrets stay redacted
    expect(epsTable.stdout).toMatch(/^ID\s+TENANT\s+COLLECTION\s+URL\s+STATUS\s+DESCRIPTION/)
    for (const id of [ids.bad, ids.ok, ids.audit]) expect(epsTable.stdout).toContain(id)
    expect(epsTable.stdout).toContain('always 400')
    expect(audit.json().endpoints.map((e: { id: string }) => e.id)).toEqual([ids.audit])

    expect(
      byRequest
        .json()
        .deliveries.map((d: { state: string }) => d.state)
        .sort(),
    ).toEqual(['dead', 'delivered'])
    expect(deadTable.stdout).toMatch(/^ID\s+TENANT\s+STATE\s+COLLECTION\s+ENDPOINT\s+ATTEMPTS/)
    expect(deadTable.stdout).toContain(deadLetter!.id)
    expect(deadTable.stdout.trim().split('\n')).toHaveLength(2)

    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toContain('Attempts')
    expect(show.stdout).toMatch(/\b400\b.*\bstop\b/)
    expect(show.stdout).toContain('req-1')
    const detail = showJson.json().delivery
    expect(detail).toMatchObject({ id: deadLetter!.id, state: 'dead', message: { requestId: 'req-1' } })
    expect(detail.attemptLog[0]).toMatchObject({ statusCode: 400, outcome: 'stop' })

    expect(dl.json().deadLetters).toHaveLength(2)
    expect(dl.json().next).toBe(dl.json().deadLetters[1].id) // a full page gives the cursor for --after
    expect(dlTable.stdout).toContain(ids.audit)
    expect(dlTable.stdout).not.toContain(ids.bad)

    expect(stats.code, stats.stderr).toBe(0)
    expect(stats.json().stats).toMatchObject({ pending: 0, dead: 3, disabledEndpoints: 0, oldestPendingAgeMs: null })
    expect(stats.json().stats).not.toHaveProperty('attempts') // a one-shot process's own counters are zeros: left out
    expect(statsTable.stdout).toMatch(/^dead\s+3$/m)

    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command 'bogus'[\s\S]*--help/)
    expect(badOption.code).toBe(2)
    expect(badOption.stderr).toContain('--limit')
    expect(missingArg.code).toBe(2)
    expect(notFound.code).toBe(1)
    expect(notFound.stderr.trim().split('\n')).toHaveLength(1) // one line, no stack
    expect(notFound.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'delivery not found: NOPE' } })
  })

  it('disables and enables endpoints, replays and purges dead letters, purges by retention, migrates', { timeout: 120_000 }, async () => {
    const disabled = await spawnCli('endpoints', 'disable', ids.audit, '--reason', 'maintenance', '--json')
    expect(disabled.code, disabled.stderr).toBe(0)
    expect(disabled.json().endpoint).toMatchObject({ id: ids.audit, enabled: false, disabledReason: 'maintenance' })
    expect((await outbox.endpoints.get(ids.audit)).enabled).toBe(false)
    const enabled = await run('endpoints', 'enable', ids.audit)
    expect(enabled.stdout).toContain(`enabled endpoint ${ids.audit}`)
    expect((await outbox.endpoints.get(ids.audit)).enabled).toBe(true)

    const [first, second] = await outbox.deadLetters.list({ collection: 'events' })
    const replay = await spawnCli('dead-letters', 'replay', first!.id, 'NOPE', '--json')
    expect(replay.code).toBe(1) // one id was not a dead letter
    expect(replay.json()).toEqual({ replayed: 1, notFound: ['NOPE'] })
    expect(replay.stderr).toContain('NOPE')
    expect((await outbox.deliveries.get(first!.id)).state).toBe('pending')
    const all = await run('dead-letters', 'replay', '--all', '--collection', 'audit')
    expect(all.stdout).toContain('replayed 1 dead letter')
    expect(await outbox.deliveries.list({ state: 'pending' })).toHaveLength(2)
    await settle(3) // the receiver still answers 400: they die again
    expect(receiver.to('/bad').length).toBe(5)

    const none = await run('dead-letters', 'purge', '--before', '2000-01-01', '--json')
    expect(none.json()).toEqual({ purged: 0 })
    const one = await run('dead-letters', 'purge', second!.id, '--json')
    expect(one.json()).toEqual({ purged: 1 })
    await expect(outbox.deliveries.get(second!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const refused = await run('dead-letters', 'purge')
    expect(refused.code).toBe(2)
    const rest = await run('dead-letters', 'purge', '--all')
    expect(rest.stdout).toContain('purged 2 dead letters')

    const purge = await spawnCli('purge', '--keep', '0', '--json')
    expect(purge.code, purge.stderr).toBe(0)
    expect(purge.json().purged).toMatchObject({ deliveries: 2 }) // the two delivered ones
    expect(await outbox.deliveries.list()).toHaveLength(0)
    const migrate = await run('migrate', '--json')
    expect(migrate.json()).toMatchObject({ migrated: true })
  })

  it('--tenant scopes every command that lists or changes; tenants list, disable, enable, purge', { timeout: 120_000 }, async () => {
    const acme = await outbox.endpoints.create({ tenant: 'acme', collection: 'audit', url: `${receiver.url}/bad`, auth: { type: 'none' } })
    await outbox.endpoints.create({ tenant: 'globex', collection: 'audit', url: `${receiver.url}/ok`, auth: { type: 'none' } })
    await outbox.notify({ tenant: 'acme', type: 'audit.logged', payload: { n: 4 }, requestId: 'req-1' })
    await outbox.notify({ tenant: 'globex', type: 'audit.logged', payload: { n: 5 }, requestId: 'req-1' })
    for (let i = 0; i < 5; i++) await outbox.drain()
    const [eps, others, deliveries, dead, show, foreign, stats, bad] = await Promise.all([
      run('endpoints', 'list', '--tenant', 'acme', '--json'),
      run('endpoints', 'disable', acme.id, '--tenant', 'globex', '--json'),
      run('deliveries', 'list', '--tenant', 'globex', '--request-id', 'req-1', '--json'),
      run('dead-letters', 'list', '--tenant', 'acme', '--json'),
      run('endpoints', 'list', '--tenant', 'acme'),
      run('deliveries', 'list', '--tenant', 'initech', '--json'),
      run('stats', '--tenant', 'acme', '--json'),
      run('endpoints', 'list', '--tenant', 'not a tenant', '--json'),
    ])
    expect(eps.json().endpoints.map((e: { id: string }) => e.id)).toEqual([acme.id])
    expect(others.code).not.toBe(0)
    expect(others.json().error.code).toBe('NOT_FOUND')
    expect(deliveries.json().deliveries.map((d: { tenant: string }) => d.tenant)).toEqual(['globex'])
    expect(dead.json().deadLetters).toHaveLength(1)
    expect(show.stdout).toContain('acme')
    expect(foreign.json().deliveries).toEqual([])
    expect(stats.json().stats).toMatchObject({ tenant: 'acme', dead: 1, pending: 0 })
    expect(bad.code).not.toBe(0)
    expect(bad.json().error.code).toBe('VALIDATION')

    // A replay or purge scoped to another tenant touches nothing of acme's.
    const [deadLetter] = dead.json().deadLetters as Array<{ id: string }>
    expect((await run('dead-letters', 'purge', deadLetter!.id, '--tenant', 'globex', '--json')).json().purged).toBe(0)
    expect((await run('dead-letters', 'replay', '--all', '--tenant', 'globex', '--json')).json().replayed).toBe(0)
    expect((await run('dead-letters', 'replay', '--all', '--tenant', 'acme', '--json')).json().replayed).toBe(1)

    expect((await run('tenants', 'disable', 'acme', '--reason', 'unpaid', '--json')).json().tenant).toMatchObject({ enabled: false })
    const listed = (await run('tenants', 'list', '--json')).json().tenants as Array<{ tenant: string; enabled: boolean }>
    expect(listed.map((t) => [t.tenant, t.enabled])).toEqual([
      ['acme', false],
      ['globex', true],
    ])
    expect((await run('tenants', 'enable', 'acme', '--json')).json().tenant).toMatchObject({ enabled: true })
    const purged = (await run('tenants', 'purge', 'acme', '--json')).json().purged
    expect(purged).toMatchObject({ endpoints: 1, messages: 1, deliveries: 1 })
    expect((await run('endpoints', 'list', '--tenant', 'acme', '--json')).json().endpoints).toEqual([])
    expect((await run('endpoints', 'list', '--tenant', 'globex', '--json')).json().endpoints).toHaveLength(1)
  })
}
