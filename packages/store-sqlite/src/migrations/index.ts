import { initial } from './001-initial.js'
import { endpointHealth } from './002-endpoint-health.js'

/** A numbered schema change. */
export interface Migration {
  version: number
  name: string
  sql: string
}

/**
 * Every migration in order. Exported so hosts that run their own migration tool can take the
 * SQL from here instead of calling `migrate()`.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'endpoint health', sql: endpointHealth },
]
