/**
 * How stores keep a tenant in a column: `''` for no tenant, so the column is NOT NULL and plain
 * equality (and a composite index) works in every dialect. Tokens are never empty.
 */
export function tenantToColumn(tenant: string | null | undefined): string {
  return tenant ?? ''
}

/** A tenant column's value back as the records carry it: `''` is no tenant (null). */
export function tenantFromColumn(value: string | null | undefined): string | null {
  return value === '' || value === null || value === undefined ? null : value
}

/** The distinct tenant columns of a batch of records, for an `IN` list. */
export function tenantColumns(records: ReadonlyArray<{ tenant: string | null }>): string[] {
  return [...new Set(records.map((r) => tenantToColumn(r.tenant)))]
}
