import type { PrismaLike } from './prisma-client.js'

// Typed by the little used here: this folder sits outside the packages that depend on knex and core.
/** A knex transaction, as far as these cases use it. */
interface KnexTrx {
  raw(sql: string, bindings: unknown[]): PromiseLike<unknown>
  commit(): Promise<unknown>
}
/** A knex instance, as far as these cases use it. */
interface KnexLike {
  transaction(): Promise<KnexTrx>
  transaction<T>(fn: (trx: KnexTrx) => Promise<T>): Promise<T>
}
/** The shape of `HostTransactionCase` from `@hookbox/core/testing`. */
interface Case<Tx> {
  name: string
  transaction(body: (tx: Tx) => unknown): unknown
  insert(tx: Tx, label: string): unknown
  refused: Array<{ name: string; open(): Promise<{ handle: unknown; release(): Promise<void> }> }>
}

const nothing = async () => {}

/** knex on any driver: `insert()` gives the host row's INSERT with one `?`; the knex instance and a committed trx are refused. */
export function knexCase(name: string, knex: KnexLike, insert: () => string): Case<KnexTrx> {
  return {
    name,
    transaction: (body) => knex.transaction(async (trx) => void (await body(trx))),
    insert: (trx, label) => trx.raw(insert(), [label]),
    refused: [
      { name: 'the knex instance', open: async () => ({ handle: knex, release: nothing }) },
      {
        name: 'a committed trx',
        async open() {
          const trx = await knex.transaction()
          await trx.commit()
          return { handle: trx, release: nothing }
        },
      },
    ],
  }
}

/** Prisma on any driver adapter (`prisma()` once the client exists): the top-level client and an ended tx are refused. */
export function prismaCase(name: string, prisma: () => PrismaLike, insert: () => string): Case<PrismaLike> {
  return {
    name,
    transaction: (body) => prisma().$transaction(async (tx) => void (await body(tx))),
    insert: (tx, label) => tx.$executeRawUnsafe(insert(), label),
    refused: [
      { name: 'the top-level PrismaClient', open: async () => ({ handle: prisma(), release: nothing }) },
      {
        name: 'a tx whose transaction has ended',
        async open() {
          let stale: PrismaLike | undefined
          await prisma().$transaction(async (tx) => void (stale = tx))
          return { handle: stale, release: nothing }
        },
      },
    ],
  }
}
