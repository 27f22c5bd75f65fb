import { describe, expect, it } from 'vitest'
import { importOptional, parseTarget } from '../../src/cli/connect.js'
import { CliError, UsageError } from '../../src/cli/errors.js'
import { cliInProcess } from './run-cli.js'

describe('hookbox CLI: choosing and opening the database', () => {
  it('reads --db as a Postgres URL or a SQLite file', () => {
    expect(parseTarget('postgres://u@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' })
    expect(parseTarget('postgresql://h/db')).toEqual({ kind: 'postgres', url: 'postgresql://h/db' })
    expect(parseTarget('sqlite:./app.db')).toEqual({ kind: 'sqlite', file: './app.db' })
    expect(parseTarget('/var/app.db')).toEqual({ kind: 'sqlite', file: '/var/app.db' })
    expect(() => parseTarget(undefined)).toThrow(UsageError)
  })

  it('says which package to install when a store is missing', async () => {
    const missing = importOptional('@hookbox/store-nonexistent', 'a Postgres URL')
    await expect(missing).rejects.toThrow(CliError)
    await expect(missing).rejects.toThrow('install @hookbox/store-nonexistent to use a Postgres URL')
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
