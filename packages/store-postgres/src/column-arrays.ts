import { sql, type RawBuilder } from 'kysely'

/**
 * `unnest(…) AS alias(columns)` over `rows`: one typed array parameter per column, read side
 * by side as rows. Postgres reads typed arrays with each type's plain input function; a
 * `jsonb_to_recordset` document was first parsed into a jsonb tree, then each field turned
 * back into text and into its type (7–9% of the server's CPU on the write-back path).
 * `columns` maps each column name to its SQL type; a `jsonb` column takes JSON text.
 */
export function unnestRows<R extends Record<string, unknown>>(
  rows: R[],
  columns: Record<keyof R & string, string>,
  alias: string,
): RawBuilder<unknown> {
  const names = Object.keys(columns) as Array<keyof R & string>
  const arrays = names.map((name) => sql`${rows.map((r) => r[name] ?? null)}::${sql.raw(columns[name])}[]`)
  return sql`unnest(${sql.join(arrays)}) AS ${sql.raw(alias)}(${sql.raw(names.join(', '))})`
}
