import { migrationSql as mysqlSql } from '@hookbox/store-mysql'
import { migrationSql as postgresSql } from '@hookbox/store-postgres'
import { migrationSql as sqliteSql } from '@hookbox/store-sqlite'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliInProcess } from './run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'hookbox-print-sql-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('hookbox migrate --print-sql', () => {
  it('prints the SQLite schema SQL without creating the file', async () => {
    const file = join(dir, 'never.db')
    const r = await cliInProcess(['migrate', '--print-sql', '--db', file])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(sqliteSql())
    expect(existsSync(file)).toBe(false)
  })

  it('prints the Postgres SQL for --schema, without connecting (nothing listens on port 1)', async () => {
    const r = await cliInProcess(['migrate', '--print-sql', '--db', 'postgres://postgres@127.0.0.1:1/none', '--schema', 'app_hooks'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(postgresSql('app_hooks'))
    expect(r.stdout).toContain('CREATE TABLE "app_hooks".messages')
    expect(r.stdout).toContain('CREATE OR REPLACE FUNCTION "app_hooks".notify(')
  })

  it('prints the MySQL SQL for the connection database, and --json wraps it', async () => {
    const r = await cliInProcess(['migrate', '--print-sql', '--json', '--db', 'mysql://root@127.0.0.1:1/none'])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({ store: 'mysql', sql: mysqlSql() })
  })

  it('still needs a database, to know which store', async () => {
    const r = await cliInProcess(['migrate', '--print-sql'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no database/)
  })
})
