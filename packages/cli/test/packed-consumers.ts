// The programs the packaging test runs (or type-checks) in the packed project, as a user would write them.

const ESM_IMPORTS = `
import Database from 'better-sqlite3'
import * as core from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'
import { postgresStore } from '@hookbox/store-postgres'
import { mysqlStore } from '@hookbox/store-mysql'
import { emailTransport } from '@hookbox/transport-email'
import { runCli } from '@hookbox/cli'
`

/** Plain JavaScript, ESM: every package imported, an outbox on SQLite through the email transport too. */
export const CONSUMER_ESM = `${ESM_IMPORTS}
const kinds = { core: typeof core.createOutbox, sqlite: typeof sqliteStore, postgres: typeof postgresStore, mysql: typeof mysqlStore, email: typeof emailTransport, cli: typeof runCli }
const db = new Database(':memory:')
const outbox = core.createOutbox({ store: sqliteStore({ database: db }), transports: [emailTransport({ host: '127.0.0.1', from: 'hookbox@example.com' })] })
let beforeMigrate
try {
  await outbox.notify({ type: 'entity.created', payload: {} })
} catch (error) {
  beforeMigrate = { code: error.code, instance: error instanceof core.MigrationRequiredError }
}
await outbox.migrate()
const notified = db.transaction(() => outbox.notify({ type: 'entity.created', payload: { n: 1 } }, { transaction: db }))()
const rows = (await outbox.stats()).unexpandedMessages
let stack
try {
  outbox.notify({ type: 'not a type!', payload: 1 }, { transaction: db })
} catch (error) {
  stack = error.stack
}
await outbox.close()
db.close()
console.log(JSON.stringify({ exports: kinds, notified, rows, beforeMigrate, stack }))
`

/** Plain JavaScript, CommonJS: every package through require (require(esm)), and the same module instance as import. */
export const CONSUMER_CJS = `
const Database = require('better-sqlite3')
const core = require('@hookbox/core')
const { sqliteStore } = require('@hookbox/store-sqlite')
const { postgresStore } = require('@hookbox/store-postgres')
const { mysqlStore } = require('@hookbox/store-mysql')
const { emailTransport } = require('@hookbox/transport-email')
const { runCli } = require('@hookbox/cli')

const kinds = { core: typeof core.createOutbox, sqlite: typeof sqliteStore, postgres: typeof postgresStore, mysql: typeof mysqlStore, email: typeof emailTransport, cli: typeof runCli }
const db = new Database(':memory:')
const outbox = core.createOutbox({ store: sqliteStore({ database: db }) })
outbox.migrate().then(async () => {
  const notified = db.transaction(() => outbox.notify({ type: 'entity.created', payload: {} }, { transaction: db }))()
  await outbox.close()
  db.close()
  const imported = await import('@hookbox/core')
  console.log(JSON.stringify({ exports: kinds, notified: { duplicate: notified.duplicate }, sameCore: imported.ValidationError === core.ValidationError }))
})
`

/** Strict TypeScript, ESM: compiled, not run. The \`@ts-expect-error\` lines must be errors. */
export const CONSUMER_TS = `${ESM_IMPORTS.replace("import * as core from '@hookbox/core'", "import { createOutbox, type EndpointAuthInput, type NotifyResult } from '@hookbox/core'")}
export async function main(): Promise<void> {
  const db = new Database(':memory:')
  const outbox = createOutbox({
    store: sqliteStore({ database: db }),
    transports: [emailTransport({ host: '127.0.0.1', from: 'hookbox@example.com' })],
    telemetry: { meterProvider: { getMeter: () => ({}) } },
  })
  await outbox.migrate()
  const auth: EndpointAuthInput = { type: 'basic', token: 'secret-token' }
  await outbox.endpoints.create({ collection: 'events', url: 'https://example.com/hook', auth })
  const sync: NotifyResult = db.transaction(() => outbox.notify({ type: 'a.b', payload: {} }, { transaction: db }))()
  const later: Promise<NotifyResult> = outbox.notify({ type: 'a.b', payload: {} })
  const loose: any = db
  const either: NotifyResult | Promise<NotifyResult> = outbox.notify({ type: 'a.b', payload: {} }, { transaction: loose })
  // @ts-expect-error 'hmca' is no auth scheme
  await outbox.endpoints.create({ collection: 'events', url: 'https://example.com/hook', auth: { type: 'hmca' } })
  // @ts-expect-error a string is no transaction
  await outbox.notify({ type: 'a.b', payload: {} }, { transaction: 'BEGIN' })
  const code: number = await runCli(['--help'], { stdout: () => {}, stderr: () => {}, env: {}, cwd: '.' })
  console.log(sync, await later, await either, code, typeof postgresStore, typeof mysqlStore)
}
`

/** Strict TypeScript, CommonJS (\`.cts\`): the ES modules through require, typed under \`module: nodenext\`. */
export const CONSUMER_TS_CJS = `
import Database = require('better-sqlite3')
import { createOutbox, ValidationError, type Outbox } from '@hookbox/core'
import { sqliteStore } from '@hookbox/store-sqlite'

export const make = (database: Database.Database): Outbox => createOutbox({ store: sqliteStore({ database }) })
export const isValidation = (error: unknown): boolean => error instanceof ValidationError
`

/** A strict tsconfig with the given resolution: no skipLibCheck, so every .d.ts reached is checked. */
export function tsconfig(resolution: 'nodenext' | 'bundler', files: string[]): string {
  const modes = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'preserve', moduleResolution: 'bundler' },
  }
  const compilerOptions = {
    ...modes[resolution],
    target: 'es2022',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  }
  return JSON.stringify({ compilerOptions, files }, null, 2)
}
