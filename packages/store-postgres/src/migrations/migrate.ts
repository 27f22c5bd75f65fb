import { sql, type Kysely } from 'kysely'
import { quoteIdent } from '../identifiers.js'
import { bootstrapSql, migrations } from './index.js'

/**
 * Applies the migrations `schema` has not seen yet, in one transaction holding a
 * transaction-scoped advisory lock, so processes that start together wait for each other and
 * the second finds nothing to do.
 */
export async function runMigrations(db: Kysely<unknown>, schema: string): Promise<number[]> {
  const applied: number[] = []
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`hookbox:migrate:${schema}`}))`.execute(trx)
    await sql.raw(bootstrapSql(schema)).execute(trx)
    const done = await sql<{ id: number }>`SELECT id FROM ${sql.table(`${schema}.migrations`)}`.execute(trx)
    const seen = new Set(done.rows.map((r) => Number(r.id)))
    for (const m of migrations) {
      if (seen.has(m.version)) continue
      await sql.raw(m.sql(quoteIdent(schema))).execute(trx)
      await sql`INSERT INTO ${sql.table(`${schema}.migrations`)} (id, name) VALUES (${m.version}, ${m.name})`.execute(trx)
      applied.push(m.version)
    }
  })
  return applied
}
