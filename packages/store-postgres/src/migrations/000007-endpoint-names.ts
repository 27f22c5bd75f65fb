import type { Migration } from '@hookbox/core'

/** Endpoint names: a stable key per tenant (`endpoints.upsert`), unique among the tenant's endpoints. */
export const endpointNamesMigration: Migration = {
  version: 7,
  name: 'endpoint names',
  sql: (s) => `
ALTER TABLE ${s}.endpoints ADD COLUMN IF NOT EXISTS name text;
CREATE UNIQUE INDEX IF NOT EXISTS endpoints_name ON ${s}.endpoints (tenant, name) WHERE name IS NOT NULL;
`,
}
