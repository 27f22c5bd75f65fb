import { sql } from 'kysely'
import type { PostgresExecutor } from '../postgres-executor.js'

/** The configuration version (migration 9): every write to collections, endpoints or tenants bumps it. */
export async function configVersion(x: PostgresExecutor): Promise<number> {
  const [row] = await x.rows<{ version: string }>(sql`SELECT version FROM ${x.t('config_version')}`)
  return Number(row!.version)
}
