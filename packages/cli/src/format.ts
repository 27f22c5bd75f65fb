/** A column of {@link table}: its header and how to read a cell from a row. */
export interface Column<T> {
  header: string
  cell: (row: T) => string | number | boolean | null | undefined
  /** Longest cell before it is cut with `…` (default 60). */
  max?: number
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)
// One line per row: line breaks in errors or snippets would break the alignment.
const flat = (v: unknown) => (v === null || v === undefined || v === '' ? '-' : String(v).replace(/\s+/g, ' '))

/** Renders rows as an aligned, space-separated table with upper-case headers; `(none)` when empty. */
export function table<T>(rows: T[], columns: Column<T>[]): string {
  if (rows.length === 0) return '(none)'
  const cells = rows.map((r) => columns.map((c) => cut(flat(c.cell(r)), c.max ?? 60)))
  const head = columns.map((c) => c.header.toUpperCase())
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)))
  const line = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  return [line(head), ...cells.map(line)].join('\n')
}

/** Renders `key  value` pairs with the keys aligned; nested objects become dotted keys. */
export function keyValue(entries: Array<[string, unknown]>): string {
  const flatEntries = entries.flatMap(([k, v]) => flatten(k, v))
  const width = Math.max(0, ...flatEntries.map(([k]) => k.length))
  return flatEntries.map(([k, v]) => `${k.padEnd(width)}  ${flat(v)}`).join('\n')
}

function flatten(key: string, value: unknown): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[key, Array.isArray(value) ? value.join(', ') : value]]
  const entries = Object.entries(value)
  return entries.length === 0 ? [[key, '-']] : entries.flatMap(([k, v]) => flatten(`${key}.${k}`, v))
}

/** An epoch-ms time as ISO 8601 (UTC), or `-`. */
export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString()
}

/** A duration in ms as `450ms`, `12s`, `5m 3s`, `2h 5m`, `3d 4h`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)]
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${m}m`
  return `${m}m ${s % 60}s`
}
