import { fromDrizzle, InvalidTransactionError } from '@hookbox/core'
import { describeHostTransactions } from '@hookbox/core/testing'
import { PrismaPg } from '@prisma/adapter-pg'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import knexFactory from 'knex'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { knexCase, prismaCase } from '../../../test-support/orm-cases.js'
import { generatePrisma, type GeneratedPrisma, type PrismaLike } from '../../../test-support/prisma-client.js'
import { postgresStore } from '../src/index.js'
import { databaseUrl, testSchema } from './helpers.js'

// One schema for this file: the store's tables and the host's `entity` table beside them.
const t = testSchema('hb_orm')
const entity = `"${t.schema}".entity`
const db = drizzle({ client: t.pool })
const knex = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 2 } })
type DrizzleTx = Parameters<Parameters<typeof db.transaction>[0]>[0]
let generated: GeneratedPrisma
let prisma: PrismaLike

beforeAll(async () => {
  generated = await generatePrisma(import.meta.dirname, 'postgresql')
  prisma = new generated.PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 2 }) })
})
afterAll(async () => {
  await prisma?.$disconnect()
  generated?.remove()
  await knex.destroy()
})

describeHostTransactions({
  name: 'postgres',
  async makeStore() {
    const store = postgresStore({ pool: t.pool, schema: t.schema })
    await store.housekeeping.migrate()
    await t.pool.query(`CREATE TABLE ${entity} (label text PRIMARY KEY)`)
    return { store, cleanup: () => t.drop() }
  },
  hostLabels: async () => (await t.pool.query<{ label: string }>(`SELECT label FROM ${entity} ORDER BY label`)).rows.map((r) => r.label),
  cases: [
    {
      name: 'drizzle (node-postgres)',
      transaction: (body) => db.transaction(async (tx) => void (await body(tx))),
      insert: (tx: DrizzleTx, label) => tx.execute(sql`INSERT INTO ${sql.raw(entity)} (label) VALUES (${label})`),
      handle: (tx: DrizzleTx) => fromDrizzle(tx, sql),
      refused: [
        {
          name: 'a tx whose transaction has committed',
          async open() {
            let stale: DrizzleTx | undefined
            await db.transaction(async (tx) => void (stale = tx))
            return { handle: fromDrizzle(stale!, sql), release: async () => {} }
          },
        },
      ],
    },
    knexCase('knex (pg)', knex, () => `INSERT INTO ${entity} (label) VALUES (?)`),
    prismaCase(
      'Prisma (adapter-pg)',
      () => prisma,
      () => `INSERT INTO ${entity} (label) VALUES ($1)`,
    ),
  ],
})

it('drizzle: the database itself is not a transaction', () => {
  expect(() => fromDrizzle(db as never, sql)).toThrow(InvalidTransactionError)
})
