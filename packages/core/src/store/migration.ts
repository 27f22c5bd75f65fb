/**
 * One numbered schema change of a store, in the shape every store uses: files
 * `migrations/NNNNNN-<name>.ts`, listed in `migrations/index.ts`, applied in `version` order,
 * each once, by the store's `migrations/migrate.ts` under a lock.
 */
export interface Migration {
  /** Position in the sequence, from 1. */
  version: number
  /** Short description, stored with the version. */
  name: string
  /** The statements, for the quoted schema (stores without schemas ignore it). */
  sql: (quotedSchema: string) => string
}
