import { CompiledQuery } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'

/** The configuration version (migration 5): every write to collections, endpoints or tenants bumps it. */
export async function configVersion(x: MysqlExecutor): Promise<number> {
  const table = x.database ? `\`${x.database}\`.hookbox_config_version` : 'hookbox_config_version'
  const [row] = await x.all(CompiledQuery.raw(`SELECT version FROM ${table}`) as CompiledQuery<{ version: number | string }>)
  return Number(row!.version)
}
