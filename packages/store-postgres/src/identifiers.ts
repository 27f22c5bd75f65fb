import { ValidationError } from '@hookbox/core'

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/

/** Checks a schema name: letters, digits and underscores, so it is safe in SQL and channel names. */
export function checkSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA.test(schema))
    throw new ValidationError(
      `schema must be 1-48 letters, digits or underscores, starting with a letter or _, got ${JSON.stringify(schema)}`,
    )
  return schema
}

/** Double-quotes an identifier (names are checked first, so this only guards case). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** The LISTEN/NOTIFY channel of a schema: every store over that schema shares it. */
export function wakeChannel(schema: string): string {
  return `hookbox_wake:${schema}`
}
