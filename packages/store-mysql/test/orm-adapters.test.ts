import { fromDrizzle, InvalidTransactionError } from '@hookbox/core'
import { describeHostTransactions } from '@hookbox/core/testing'
import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/mysql2'
import knexFactory from 'knex'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { knexCase, prismaCase } from '../../../test-support/orm-cases.js'
import { generatePrisma, type GeneratedPrisma, type PrismaLike } from '../../../test-support/prisma-client.js'
import { mysqlStore } from '../src/index.js'
import { mysqlUrl, testDatabases } from './support.js'

// One database for this file: the store's tables and the host's `entity` table beside them.
const databases = testDatabases('hb_orm', 6)
let database = ''
const entity = () => `\`${database}\`.entity`
const db = drizzle(databases.pool)
const knex = knexFactory({ client: 'mysql2', connection: mysqlUrl, pool: { min: 0, max: 2 } })
type DrizzleTx = Parameters<Parameters<typeof db.transaction>[0]>[0]
let generated: GeneratedPrisma
let prisma: PrismaLike

beforeAll(async () => {
  generated = await generatePrisma(import.meta.dirname, 'mysql')
  const url = new URL(mysqlUrl)
  prisma = new generated.PrismaClient({
    adapter: new PrismaMariaDb({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      connectionLimit: 2,
    }),
  })
})
afterAll(async () => {
  await prisma?.$disconnect()
  generated?.remove()
  await knex.destroy()
  await databases.end()
})

describeHostTransactions({
  name: 'mysql',
  async makeStore() {
    database = await databases.create()
    const store = mysqlStore({ pool: databases.pool, database })
    await store.housekeeping.migrate()
    await databases.pool.promise().query(`CREATE TABLE ${entity()} (label VARCHAR(100) PRIMARY KEY) ENGINE=InnoDB`)
    return { store, cleanup: () => databases.drop(database) }
  },
  hostLabels: async () => {
    const [rows] = await databases.pool.promise().query(`SELECT label FROM ${entity()} ORDER BY label`)
    return (rows as Array<{ label: string }>).map((r) => r.label)
  },
  cases: [
    {
      name: 'drizzle (mysql2)',
      transaction: (body) => db.transaction(async (tx) => void (await body(tx))),
      insert: (tx: DrizzleTx, label) => tx.execute(sql`INSERT INTO ${sql.raw(entity())} (label) VALUES (${label})`),
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
    knexCase('knex (mysql2)', knex, () => `INSERT INTO ${entity()} (label) VALUES (?)`),
    prismaCase(
      'Prisma (adapter-mariadb)',
      () => prisma,
      () => `INSERT INTO ${entity()} (label) VALUES (?)`,
    ),
  ],
})

it('drizzle: the database itself is not a transaction', () => {
  expect(() => fromDrizzle(db as never, sql)).toThrow(InvalidTransactionError)
})
