import { sql, type RawBuilder } from 'kysely'

/** A column of {@link unnestRows}: its name and Postgres type (`jsonb` values are sent as their JSON text). */
export type UnnestColumn<R> = readonly [name: keyof R & string, type: 'text' | 'integer' | 'bigint' | 'jsonb']

/**
 * `unnest($1::text[], $2::bigint[], …) AS alias(a, b, …)`: `rows` as one typed array per column,
 * for `SELECT * FROM` in an INSERT or a join. Each value goes through its type's input function
 * alone, where `json_to_recordset` first parses one JSON document of every row and then
 * converts each field from that (about 10% less server CPU per inserted delivery).
 */
export function unnestRows<R>(rows: readonly R[], columns: ReadonlyArray<UnnestColumn<R>>, alias: string): RawBuilder<unknown> {
  const arrays = columns.map(([name, type]) => {
    const values = rows.map((r) => r[name] ?? null)
    const array = type === 'jsonb' ? values.map((v) => (v === null ? null : JSON.stringify(v))) : values
    return sql`${array}::${sql.raw(type)}[]`
  })
  return sql`unnest(${sql.join(arrays)}) AS ${sql.raw(alias)}(${sql.raw(columns.map(([name]) => name).join(', '))})`
}
