import type { Migration } from '@hookbox/core'

/** Endpoint names: a stable key per tenant (`endpoints.upsert`), unique among the tenant's endpoints. */
export const endpointNamesMigration: Migration = {
  version: 7,
  name: 'endpoint names',
  sql: () => `
ALTER TABLE hookbox_endpoints ADD COLUMN name TEXT;
CREATE UNIQUE INDEX hookbox_endpoints_name ON hookbox_endpoints (tenant, name) WHERE name IS NOT NULL;
`,
}
