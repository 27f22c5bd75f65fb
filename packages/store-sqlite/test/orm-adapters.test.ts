import { fromDrizzle, InvalidTransactionError } from '@hookbox/core'
import { describeHostTransactions } from '@hookbox/core/testing'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import knexFactory from 'knex'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { knexCase, prismaCase } from '../../../test-support/orm-cases.js'
import { generatePrisma, type GeneratedPrisma, type PrismaLike } from '../../../test-support/prisma-client.js'
import { sqliteStore } from '../src/index.js'
import { tempDatabase } from './support.js'

// One SQLite file for this file's tests: the store's tables and the host's `host_rows` table.
const t = tempDatabase()
t.db.exec('CREATE TABLE host_rows (label TEXT PRIMARY KEY)')
const db = drizzle({ client: t.db })
const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: t.path }, useNullAsDefault: true })
type DrizzleTx = Parameters<Parameters<typeof db.transaction>[0]>[0]
let generated: GeneratedPrisma
let prisma: PrismaLike

beforeAll(async () => {
  generated = await generatePrisma(import.meta.dirname, 'sqlite')
  prisma = new generated.PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${t.path}`, timeout: 5000 }) })
})
afterAll(async () => {
  await prisma?.$disconnect()
  generated?.remove()
  await knex.destroy()
})

describeHostTransactions({
  name: 'sqlite',
  async makeStore() {
    const store = sqliteStore({ database: t.db })
    return { store, cleanup: async () => t.cleanup() }
  },
  hostLabels: async () =>
    (t.db.prepare('SELECT label FROM host_rows ORDER BY label').all() as Array<{ label: string }>).map((r) => r.label),
  cases: [
    {
      // Synchronous: better-sqlite3's transaction function must not return a promise, and notify through it does not.
      name: 'drizzle (better-sqlite3)',
      transaction: (body) => db.transaction((tx) => void body(tx)),
      insert: (tx: DrizzleTx, label) => tx.run(sql`INSERT INTO host_rows (label) VALUES (${label})`),
      handle: (tx: DrizzleTx) => fromDrizzle(tx, sql),
      refused: [
        {
          name: 'a tx whose transaction has committed',
          async open() {
            let stale: DrizzleTx | undefined
            db.transaction((tx) => void (stale = tx))
            return { handle: fromDrizzle(stale!, sql), release: async () => {} }
          },
        },
      ],
    },
    knexCase('knex (better-sqlite3)', knex, () => 'INSERT INTO host_rows (label) VALUES (?)'),
    prismaCase(
      'Prisma (adapter-better-sqlite3)',
      () => prisma,
      () => 'INSERT INTO host_rows (label) VALUES (?)',
    ),
  ],
})

it('drizzle: the database itself is not a transaction', () => {
  expect(() => fromDrizzle(db as never, sql)).toThrow(InvalidTransactionError)
})
