import { fromDrizzle, InvalidTransactionError } from '@hookbox/core'
import { describeHostTransactions, type HostEnd } from '@hookbox/core/testing'
import { PrismaPg } from '@prisma/adapter-pg'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import knexFactory from 'knex'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generatePrisma, type GeneratedPrisma, type PrismaLike } from '../../../test-support/prisma-client.js'
import { postgresStore } from '../src/index.js'
import { databaseUrl, testSchema } from './helpers.js'

// One schema for this file: the store's tables and the host's `entity` table beside them.
const t = testSchema('hb_orm')
const entity = `"${t.schema}".entity`
const db = drizzle({ client: t.pool })
const knex = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 2 } })
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

/** Throws to roll the ORM's transaction back; the suite checks what remains. */
const rollback = new Error('host rolls back')
const ended = (end: HostEnd, run: () => Promise<unknown>) =>
  run().then(
    () => undefined,
    (error: unknown) => {
      if (end !== 'rollback' || error !== rollback) throw error
    },
  )
const finish = (end: HostEnd) => {
  if (end === 'rollback') throw rollback
}

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
      run: (label, end, write) =>
        ended(end, () =>
          db.transaction(async (tx) => {
            await tx.execute(sql`INSERT INTO ${sql.raw(entity)} (label) VALUES (${label})`)
            await write(fromDrizzle(tx, sql))
            finish(end)
          }),
        ),
      refused: [
        {
          name: 'a tx whose transaction has committed',
          async open() {
            let stale: Parameters<Parameters<typeof db.transaction>[0]>[0] | undefined
            await db.transaction(async (tx) => void (stale = tx))
            return { handle: fromDrizzle(stale!, sql), release: async () => {} }
          },
        },
      ],
    },
    {
      name: 'knex (pg)',
      run: (label, end, write) =>
        ended(end, () =>
          knex.transaction(async (trx) => {
            await trx.raw(`INSERT INTO ${entity} (label) VALUES (?)`, [label])
            await write(trx)
            finish(end)
          }),
        ),
      refused: [
        { name: 'the knex instance', open: async () => ({ handle: knex, release: async () => {} }) },
        {
          name: 'a committed trx',
          async open() {
            const trx = await knex.transaction()
            await trx.commit()
            return { handle: trx, release: async () => {} }
          },
        },
      ],
    },
    {
      name: 'Prisma (adapter-pg)',
      run: (label, end, write) =>
        ended(end, () =>
          prisma.$transaction(async (tx) => {
            await tx.$executeRawUnsafe(`INSERT INTO ${entity} (label) VALUES ($1)`, label)
            await write(tx)
            finish(end)
          }),
        ),
      refused: [
        { name: 'the top-level PrismaClient', open: async () => ({ handle: prisma, release: async () => {} }) },
        {
          name: 'a tx whose transaction has ended',
          async open() {
            let stale: PrismaLike | undefined
            await prisma.$transaction(async (tx) => void (stale = tx))
            return { handle: stale, release: async () => {} }
          },
        },
      ],
    },
  ],
})

it('drizzle: the database itself is not a transaction', () => {
  expect(() => fromDrizzle(db as never, sql)).toThrow(InvalidTransactionError)
})
