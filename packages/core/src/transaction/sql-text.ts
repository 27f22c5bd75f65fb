import { StoreError } from '../errors.js'

/**
 * A statement cut at its parameter placeholders, for ORMs that number parameters themselves
 * (drizzle, knex): `values[i]` goes between `fragments[i]` and `fragments[i + 1]`.
 */
export interface SplitStatement {
  fragments: string[]
  values: unknown[]
  /** True for Postgres' `$n` placeholders (a `?` left in the fragments is then an operator or in a literal). */
  numbered: boolean
}

/** Where one placeholder is in the text, and which value (0-based) it stands for. */
interface Placeholder {
  start: number
  end: number
  index: number
}

/**
 * Cuts a store's statement at its placeholders: `$1`, `$2`… (Postgres; a number may repeat,
 * and a `?` is then the jsonb operator) or `?` (SQLite, MySQL), never inside a quoted string,
 * a quoted identifier, a dollar-quoted string or a comment. A statement whose placeholders do
 * not match its values throws {@link StoreError} (a bug, not input). Backslashes are not
 * escapes (Postgres' standard strings; the stores write no backslash in their SQL).
 */
export function splitPlaceholders(text: string, values: readonly unknown[]): SplitStatement {
  const { dollar, question } = findPlaceholders(text)
  const found = dollar.length > 0 ? dollar : question
  const fragments: string[] = []
  const ordered: unknown[] = []
  let at = 0
  for (const p of found) {
    if (p.index >= values.length)
      throw new StoreError(`statement has more placeholders than its ${values.length} values: ${text.slice(0, 200)}`)
    fragments.push(text.slice(at, p.start))
    ordered.push(values[p.index])
    at = p.end
  }
  fragments.push(text.slice(at))
  const used = new Set(found.map((p) => p.index))
  if (used.size !== values.length) throw new StoreError(`statement uses ${used.size} of its ${values.length} values: ${text.slice(0, 200)}`)
  return { fragments, values: ordered, numbered: dollar.length > 0 }
}

/** Every `$n` and every `?` outside quotes and comments. */
function findPlaceholders(text: string): { dollar: Placeholder[]; question: Placeholder[] } {
  const dollar: Placeholder[] = []
  const question: Placeholder[] = []
  let i = 0
  const skipTo = (close: string, from: number) => {
    const end = text.indexOf(close, from)
    return end === -1 ? text.length : end + close.length
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === "'" || c === '"' || c === '`') i = skipTo(c, i + 1)
    else if (c === '-' && text[i + 1] === '-') i = skipTo('\n', i + 2)
    else if (c === '/' && text[i + 1] === '*') i = skipTo('*/', i + 2)
    else if (c === '?') question.push({ start: i, end: ++i, index: question.length })
    else if (c === '$') {
      const number = /^\$(\d+)/.exec(text.slice(i, i + 12))
      const tag = number ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 66))
      if (number) {
        dollar.push({ start: i, end: i + number[0].length, index: Number(number[1]) - 1 })
        i += number[0].length
      } else if (tag) i = skipTo(tag[0], i + tag[0].length)
      else i++
    } else i++
  }
  return { dollar, question }
}

/**
 * True when a statement hands back rows (a query, or a write with `RETURNING`), for ORMs whose
 * raw API has one call for reads and another for writes (Prisma, drizzle on better-sqlite3).
 */
export function returnsRows(text: string): boolean {
  const start = text.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '')
  return /^(select|with|values|pragma|show|explain|table)\b/i.test(start) || /\breturning\b/i.test(stripQuoted(text))
}

/** The text without its quoted strings and identifiers, so a column named "returning" is not a keyword. */
function stripQuoted(text: string): string {
  return text.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '')
}
