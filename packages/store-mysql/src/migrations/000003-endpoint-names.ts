import type { Migration } from '@hookbox/core'

/**
 * Endpoint names: a stable key per tenant (`endpoints.upsert`), unique among the tenant's
 * endpoints; a unique key allows any number of NULLs, so unnamed endpoints are not limited.
 */
export const endpointNamesMigration: Migration = {
  version: 3,
  name: 'endpoint names',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    return `
ALTER TABLE ${t('hookbox_endpoints')} ADD COLUMN name VARCHAR(128) NULL, ADD UNIQUE KEY hookbox_endpoints_name (tenant, name);
`
  },
}
