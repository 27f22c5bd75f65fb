import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPackedProject, type PackedProject } from './packed-project.js'

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

describe('@hookbox/cli as published: packed tarballs installed with npm outside the workspace', () => {
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

  it('publishes manifests that resolve outside the workspace: types, import and default, no source condition', () => {
    for (const name of ['core', 'store-sqlite', 'cli']) {
      const dir = join(project.dir, 'node_modules', '@hookbox', name)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      expect(JSON.stringify(manifest), name).not.toContain('hookbox-source')
      expect(JSON.stringify(manifest), name).not.toContain('workspace:')
      expect(Object.keys(manifest.exports['.']), name).toEqual(['types', 'import', 'default'])
      for (const file of Object.values<string>(manifest.exports['.'])) expect(existsSync(join(dir, file)), `${name} ${file}`).toBe(true)
      expect(existsSync(join(dir, 'src')), name).toBe(false)
    }
    const cli = JSON.parse(readFileSync(join(project.dir, 'node_modules', '@hookbox', 'cli', 'package.json'), 'utf8'))
    expect(cli.peerDependencies).toEqual({ '@hookbox/core': '^0.1.0' })
    expect(cli.dependencies ?? {}).not.toHaveProperty('@hookbox/store-sqlite') // the store is the host's
    const bin = readFileSync(join(project.dir, 'node_modules', '@hookbox', 'cli', cli.bin.hookbox), 'utf8')
    expect(bin.split('\n')[0]).toBe('#!/usr/bin/env node')
  })

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
      new RegExp(`^${endpointId}\\s+events\\s+https://hooks.example.com/in\\s+ok\\s+from the tarballs$`, 'm'),
    )
  })

  it('names the store package to install when the project lacks it', { timeout: 60_000 }, async () => {
    const [postgres, mysql] = await Promise.all([
      project.run('npx', 'hookbox', 'stats', '--db', 'postgres://postgres@127.0.0.1:5432/test', '--json'),
      project.run('npx', 'hookbox', 'stats', '--db', 'mysql://root@127.0.0.1:3306/test'),
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
