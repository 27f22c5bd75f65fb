import type { Migration } from '@hookbox/core'
import { claimPlainFunction } from './claim-plain-function.js'

/**
 * The claim in plain columns (`claim_plain`, replacing `claim_deliveries`, which the previous
 * release still calls and is left in place): the delivery row, the few message columns a
 * delivery does not copy, the breaker's columns of its targets (one join for an `each`
 * delivery, arrays for a `majority` one) and the config version, read in the same statement.
 * No JSON is built per row: the collection, endpoints and tenant state come from the
 * dispatcher's memory. Skip rules as in migration 6; see `queries/claim.ts`.
 */
export const plainClaimMigration: Migration = {
  version: 10,
  name: 'plain claim',
  sql: (s) => claimPlainFunction(s),
}
