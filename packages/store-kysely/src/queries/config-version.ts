import type { KyselyDialect } from '../dialect.js'
import { drive, rows, type MaybePromise, type Plan } from '../plan.js'

/** Within a {@link Plan}: the configuration version, which every write to collections, endpoints or tenants bumps. */
export function* readConfigVersion(d: KyselyDialect): Plan<number> {
  // Read on every expansion pass: built once (a BIGINT may arrive as a string, hence `Number`).
  const [row] = yield* rows(d.shaped('config-version', [], () => d.qb.selectFrom('hookbox_config_version').select('version')))
  return Number(row!.version)
}

/** The configuration version, read on the store's own connection. */
export function configVersion(d: KyselyDialect): MaybePromise<number> {
  return drive(readConfigVersion(d), d.exec)
}
