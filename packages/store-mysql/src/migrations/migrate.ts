import { StoreError } from '@hookbox/core'
import { CompiledQuery, sql } from 'kysely'
import { MysqlExecutor } from '../mysql-executor.js'
import { migrations, migrationsTableSql, splitStatements } from './index.js'

/** Duplicate column (1060) or key name (1061), multiple primary key (1068), no such key to drop (1091): an ALTER that already ran. */
const ALREADY_APPLIED = new Set([1060, 1061, 1068, 1091])

/**
 * Applies the migrations the database has not seen yet, on one connection holding a named lock
 * (`GET_LOCK`), so processes that start together wait for each other and the second finds
 * nothing to do. MySQL commits each DDL statement on its own, so the statements run one by
 * one and each migration is written to be safe to run again. Returns the versions applied.
 */
export async function runMigrations(x: MysqlExecutor): Promise<number[]> {
  return x.db.connection().execute(async (connection) => {
    const c = new MysqlExecutor(connection, x.database)
    const name = sql`CONCAT('hookbox:migrate:', MD5(COALESCE(${x.database ?? null}, DATABASE())))`
    const [lock] = await c.all(sql<{ ok: number | null }>`SELECT GET_LOCK(${name}, 60) AS ok`.compile(connection))
    if (Number(lock?.ok) !== 1) throw new StoreError('hookbox: waited 60 s for another process to finish migrating')
    try {
      await c.exec(CompiledQuery.raw(migrationsTableSql(x.database ? `\`${x.database}\`` : '')))
      const done = new Set((await c.all(c.qb.selectFrom('hookbox_migrations').select('version'))).map((r) => Number(r.version)))
      const applied: number[] = []
      for (const m of migrations) {
        if (done.has(m.version)) continue
        for (const statement of splitStatements(m.sql(x.database ? `\`${x.database}\`` : '')))
          await c.exec(CompiledQuery.raw(statement)).catch((error: unknown) => {
            // One ALTER TABLE is atomic: refused because its column or key is already there, it
            // ran before a cut-short migration stopped, and the next statement goes on.
            if (!ALREADY_APPLIED.has((error as { errno?: number } | null)?.errno ?? 0)) throw error
          })
        await c.run(c.qb.insertInto('hookbox_migrations').values({ version: m.version, name: m.name, applied_at: Date.now() }))
        applied.push(m.version)
      }
      return applied
    } finally {
      await c.exec(sql`SELECT RELEASE_LOCK(${name})`.compile(connection))
    }
  })
}
