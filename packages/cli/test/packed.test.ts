import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPackedProject, publishedPackages, workspaceTsc, type PackedProject } from './packed-project.js'
import { cliPackageDir } from './run-cli.js'
import { CONSUMER_CJS, CONSUMER_ESM, CONSUMER_TS, CONSUMER_TS_CJS, tsconfig } from './packed-consumers.js'

// Plain JavaScript in the packed project: the published core and store write an outbox the CLI then reads.
const SEED = `
import Database from 'better-sqlite3'
import { createOutbox, policies } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'

const database = new Database(process.argv[2])
const outbox = createOutbox({ store: sqliteStore({ database }) })
await outbox.collections.upsert({ name: 'events', events: ['entity.*'], policy: policies.exponential() })
const endpoint = await outbox.endpoints.create({ collection: 'events', url: 'https://hooks.example.com/in', description: 'from the tarballs' })
await outbox.notify({ type: 'entity.created', payload: { n: 1 } })
await outbox.close()
database.close()
console.log(endpoint.id)
`

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))

describe('the packages as published: every package packed, installed with one npm install outside the workspace', () => {
  let root: string
  let project: PackedProject

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hookbox-packed-'))
    project = await createPackedProject(root)
    console.info(
      `npm install of the tarballs: ${project.installSeconds}s (better-sqlite3 ${project.reusedPrebuild ? 'from the local prebuild' : 'compiled from source'})`,
    )
  }, 900_000)

  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const installed = (name: string) => join(project.dir, 'node_modules', '@hookbox', name)
  const manifestOf = (name: string) => JSON.parse(readFileSync(join(installed(name), 'package.json'), 'utf8'))

  it('publishes manifests that resolve outside the workspace: types, import and default, no source condition', () => {
    expect(publishedPackages).toEqual(
      expect.arrayContaining(['cli', 'core', 'store-kysely', 'store-mysql', 'store-postgres', 'store-sqlite', 'transport-email']),
    )
    const license = readFileSync(join(cliPackageDir, '..', '..', 'LICENSE'), 'utf8')
    for (const name of publishedPackages) {
      const dir = installed(name)
      const manifest = manifestOf(name)
      expect(JSON.stringify(manifest), name).not.toContain('hookbox-source')
      expect(JSON.stringify(manifest), name).not.toContain('workspace:')
      expect(manifest).toMatchObject({
        name: `@hookbox/${name}`,
        type: 'module',
        license: 'MIT',
        main: './dist/index.js',
        types: './dist/index.d.ts',
        engines: { node: '>=20.19' },
        repository: { type: 'git', directory: `packages/${name}` },
        publishConfig: { access: 'public' },
      })
      expect(manifest.keywords, name).toContain('webhooks')
      // What is published is the workspace's map without its source condition (publishConfig.exports, kept in step).
      const workspace = JSON.parse(readFileSync(join(cliPackageDir, '..', name, 'package.json'), 'utf8'))
      const withoutSource = JSON.parse(JSON.stringify(workspace.exports, (k, v) => (k === 'hookbox-source' ? undefined : v)))
      expect(manifest.exports, name).toEqual(withoutSource)
      expect(manifest.exports['./package.json'], name).toBe('./package.json')
      for (const [entry, conditions] of Object.entries<Record<string, string>>(manifest.exports)) {
        if (entry === './package.json') continue
        expect(Object.keys(conditions), `${name} ${entry}`).toEqual(['types', 'import', 'default'])
        for (const file of Object.values(conditions)) expect(existsSync(join(dir, file)), `${name} ${file}`).toBe(true)
      }
      expect(existsSync(join(dir, 'src')), name).toBe(false)
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), name).toBe(license)
      const readme = readFileSync(join(dir, 'README.md'), 'utf8')
      expect(readme.split('\n')[0], name).toBe(`# @hookbox/${name}`)
      expect(readme, name).toContain(`require('@hookbox/${name}')`) // the ESM / require(esm) note
      if (name !== 'core') {
        expect(manifest.peerDependencies, name).toMatchObject({ '@hookbox/core': '^0.1.0' })
        expect(manifest.dependencies ?? {}, name).not.toHaveProperty('@hookbox/core')
      }
    }
    // One copy of core: the stores' errors are instances of the application's classes.
    const cores = filesUnder(join(project.dir, 'node_modules')).filter((f) => f.endsWith(join('@hookbox', 'core', 'package.json')))
    expect(cores.map((f) => relative(project.dir, f))).toEqual([join('node_modules', '@hookbox', 'core', 'package.json')])
    expect(existsSync(join(project.dir, 'node_modules', '@opentelemetry', 'api')), 'the optional peer is not installed').toBe(false)
    const cli = manifestOf('cli')
    expect(cli.dependencies ?? {}).not.toHaveProperty('@hookbox/store-sqlite') // the store is the host's
    const bin = readFileSync(join(installed('cli'), cli.bin.hookbox), 'utf8')
    expect(bin.split('\n')[0]).toBe('#!/usr/bin/env node')
  })

  it('ships source maps that resolve: every map carries the text of each of its sources', () => {
    let maps = 0
    for (const name of publishedPackages)
      for (const file of filesUnder(join(installed(name), 'dist')).filter((f) => f.endsWith('.js.map'))) {
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> }
        expect(map.sourcesContent?.length, file).toBe(map.sources.length)
        for (const text of map.sourcesContent ?? []) expect(text?.length, file).toBeGreaterThan(0)
        maps++
      }
    expect(maps).toBeGreaterThan(50)
  })

  it(
    'runs an ESM JavaScript consumer of every package, with stack traces mapped to the TypeScript sources',
    { timeout: 60_000 },
    async () => {
      writeFileSync(join(project.dir, 'consumer.mjs'), CONSUMER_ESM)
      const run = await project.run('node', '--enable-source-maps', 'consumer.mjs')
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toBe('')
      const out = run.json()
      expect(out.exports).toEqual({
        core: 'function',
        sqlite: 'function',
        postgres: 'function',
        mysql: 'function',
        email: 'function',
        cli: 'function',
      })
      expect(out.notified).toMatchObject({ duplicate: false, messageId: expect.stringMatching(/^[0-9A-Z]{26}$/) })
      expect(out.rows).toBe(1)
      // Thrown by store-sqlite, with the class it imports from @hookbox/core: the application's own.
      expect(out.beforeMigrate).toEqual({ code: 'MIGRATION_REQUIRED', instance: true })
      expect(out.stack).toMatch(/node_modules\/@hookbox\/core\/src\/message\.ts:\d+:\d+/)
    },
  )

  it('requires every package from CommonJS (require(esm), Node >= 20.19) without a warning', { timeout: 60_000 }, async () => {
    writeFileSync(join(project.dir, 'consumer.cjs'), CONSUMER_CJS)
    const run = await project.run('node', 'consumer.cjs')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.json()).toEqual({
      exports: { core: 'function', sqlite: 'function', postgres: 'function', mysql: 'function', email: 'function', cli: 'function' },
      notified: { duplicate: false },
      sameCore: true,
    })
  })

  it(
    'type-checks strict TypeScript consumers, nodenext and bundler, without skipLibCheck or @opentelemetry/api',
    { timeout: 120_000 },
    async () => {
      writeFileSync(join(project.dir, 'consumer.ts'), CONSUMER_TS)
      writeFileSync(join(project.dir, 'consumer-cjs.cts'), CONSUMER_TS_CJS)
      writeFileSync(join(project.dir, 'tsconfig.nodenext.json'), tsconfig('nodenext', ['consumer.ts', 'consumer-cjs.cts']))
      writeFileSync(join(project.dir, 'tsconfig.bundler.json'), tsconfig('bundler', ['consumer.ts']))
      const [nodenext, bundler] = await Promise.all([
        project.run('node', workspaceTsc, '-p', 'tsconfig.nodenext.json'),
        project.run('node', workspaceTsc, '-p', 'tsconfig.bundler.json'),
      ])
      expect(nodenext.stdout + nodenext.stderr).toBe('')
      expect(nodenext.code).toBe(0)
      expect(bundler.stdout + bundler.stderr).toBe('')
      expect(bundler.code).toBe(0)
    },
  )

  it('runs npx hookbox --help, migrate and stats under plain node, with the store from the project', { timeout: 120_000 }, async () => {
    const help = await project.run('npx', 'hookbox', '--help')
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/^Usage: hookbox <command> \[options\]/)
    for (const command of ['endpoints list', 'dead-letters replay', 'stats', 'migrate']) expect(help.stdout).toContain(command)

    const migrate = await project.run('npx', 'hookbox', 'migrate', '--db', 'app.db') // relative to the project
    expect(migrate.code, migrate.stderr).toBe(0)
    expect(migrate.stdout.trim()).toBe('migrated (sqlite)')
    const file = join(project.dir, 'app.db')
    expect(existsSync(file)).toBe(true)

    writeFileSync(join(project.dir, 'seed.mjs'), SEED)
    const seed = await project.run('node', 'seed.mjs', file)
    expect(seed.code, seed.stderr).toBe(0)
    const endpointId = seed.stdout.trim()

    const [stats, statsJson, endpoints] = await Promise.all([
      project.run('npx', 'hookbox', 'stats', '--db', file),
      project.run('npx', 'hookbox', 'stats', '--db', file, '--json'),
      project.run('npx', 'hookbox', 'endpoints', 'list', '--db', file),
    ])
    expect(stats.code, stats.stderr).toBe(0)
    expect(stats.stdout).toMatch(/^dead\s+0$/m)
    expect(stats.stdout).toMatch(/^unexpandedMessages\s+1$/m) // the message waits for a dispatcher to expand it
    expect(statsJson.json().stats).toMatchObject({ unexpandedMessages: 1, dead: 0, disabledEndpoints: 0 })
    expect(endpoints.code, endpoints.stderr).toBe(0)
    expect(endpoints.stdout).toMatch(
      new RegExp(`^${endpointId}\\s+-\\s+-\\s+events\\s+https://hooks.example.com/in\\s+ok\\s+from the tarballs$`, 'm'),
    )
  })

  it('names the store package to install when the project lacks it', { timeout: 60_000 }, async () => {
    // A project with nothing installed, running the CLI installed elsewhere (as a global install would).
    const bare = join(root, 'bare')
    mkdirSync(bare)
    writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare-app', private: true }))
    const hookbox = join(installed('cli'), manifestOf('cli').bin.hookbox)
    const [postgres, mysql] = await Promise.all([
      project.runIn(bare, 'node', hookbox, 'stats', '--db', 'postgres://postgres@127.0.0.1:5432/test', '--json'),
      project.runIn(bare, 'node', hookbox, 'stats', '--db', 'mysql://root@127.0.0.1:3306/test'),
    ])
    expect(postgres.code).toBe(1)
    expect(postgres.json().error).toMatchObject({
      code: 'MISSING_PACKAGE',
      message: expect.stringContaining('install @hookbox/store-postgres'),
    })
    expect(mysql.code).toBe(1)
    expect(mysql.stderr).toContain('install @hookbox/store-mysql to use a mysql:// URL')
  })
})
