import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MissingPackageError, UsageError, parseTarget } from '../src/index.js'
import { importFromHost } from '../src/host-modules.js'
import { cliInProcess, cliPackageDir } from './run-cli.js'

describe('hookbox CLI: choosing and opening the database', () => {
  // A project with no node_modules at all: every store package is missing from it.
  const bare = mkdtempSync(join(tmpdir(), 'hookbox-cli-bare-'))
  afterAll(() => rmSync(bare, { recursive: true, force: true }))

  it('reads --db as a Postgres URL, a MySQL URL or a SQLite file', () => {
    expect(parseTarget('postgres://u@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' })
    expect(parseTarget('postgresql://h/db')).toEqual({ kind: 'postgres', url: 'postgresql://h/db' })
    expect(parseTarget('mysql://root@127.0.0.1:3306/test')).toEqual({ kind: 'mysql', url: 'mysql://root@127.0.0.1:3306/test' })
    expect(parseTarget('sqlite:./app.db')).toEqual({ kind: 'sqlite', file: './app.db' })
    expect(parseTarget('/var/app.db')).toEqual({ kind: 'sqlite', file: '/var/app.db' })
    expect(() => parseTarget(undefined)).toThrow(UsageError)
  })

  it('loads a package from the host project, not from its own dependencies', async () => {
    const found = await importFromHost<{ sqliteStore: unknown }>('@hookbox/store-sqlite', { dir: cliPackageDir }, 'a SQLite file')
    expect(typeof found.module.sqliteStore).toBe('function')
    const missing = importFromHost('@hookbox/store-sqlite', { dir: bare }, 'a SQLite file')
    await expect(missing).rejects.toThrow(MissingPackageError)
    await expect(missing).rejects.toMatchObject({ code: 'MISSING_PACKAGE', packageName: '@hookbox/store-sqlite' })
  })

  it('names the store package to install for each kind of database, and writes nothing', async () => {
    const file = join(bare, 'app.db')
    const runs = await Promise.all([
      cliInProcess(['migrate', '--db', file, '--json'], {}, bare),
      cliInProcess(['stats', '--db', 'postgres://postgres@127.0.0.1:5432/test', '--json'], {}, bare),
      cliInProcess(['stats', '--db', 'mysql://root@127.0.0.1:3306/test', '--json'], {}, bare),
    ])
    const stores = ['@hookbox/store-sqlite', '@hookbox/store-postgres', '@hookbox/store-mysql']
    runs.forEach((run, i) => {
      expect(run.code).toBe(1)
      expect(run.json().error).toMatchObject({ code: 'MISSING_PACKAGE', message: expect.stringContaining(`install ${stores[i]} to use`) })
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
    })
    expect(existsSync(file)).toBe(false) // migrate stopped before opening the file
  })

  it('exits 2 without a database, and 1 with a one-line message for a missing SQLite file', async () => {
    const none = await cliInProcess(['stats'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('HOOKBOX_DATABASE')
    const gone = await cliInProcess(['stats', '--json'], { HOOKBOX_DATABASE: '/nonexistent/app.db' })
    expect(gone.code).toBe(1)
    expect(gone.json()).toEqual({ error: { code: 'NO_DATABASE', message: expect.stringContaining('hookbox migrate') } })
  })
})
