/**
 * One numbered schema change. `sql` receives the quoted schema name (e.g. `"hookbox"`) and
 * returns the statements to run; migrations are applied in `id` order, each once.
 */
export interface Migration {
  /** Position in the sequence, from 1. */
  id: number
  /** Short description, stored in the `migrations` table. */
  name: string
  /** The SQL text for a given quoted schema identifier. */
  sql: (quotedSchema: string) => string
}
