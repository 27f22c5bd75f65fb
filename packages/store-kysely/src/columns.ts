/**
 * Column conversions the kysely stores' row mappers share. A BIGINT may arrive as a string (a
 * MySQL pool with `bigNumberStrings`), so every number is read through {@link int}.
 */

/** A number column as a number (the driver may give a string). */
export const int = (v: unknown): number => Number(v)

/** A nullable number column as a number or null. */
export const intOrNull = (v: unknown): number | null => (v === null ? null : Number(v))

/** A nullable JSON value as TEXT (undefined and null both store SQL null). */
export const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v))

/** Nullable JSON TEXT as its value. */
export const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T))
