import { CompiledQuery } from 'kysely'
import type { SyncExecutor } from '../sync-executor.js'

const READ = CompiledQuery.raw('SELECT version FROM hookbox_config_version') as CompiledQuery<{ version: number }>

/** The configuration version (migration 8): every write to collections, endpoints or tenants bumps it. */
export function configVersion(x: SyncExecutor): number {
  return Number(x.all(READ)[0]!.version)
}
