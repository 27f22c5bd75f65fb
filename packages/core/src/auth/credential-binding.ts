import type { EndpointRecord } from '../store/records.js'

/** Where an endpoint's sealed credentials belong. Every part is authenticated with them. */
export interface CredentialSite {
  endpointId: string
  /** The endpoint's tenant; `''` for the platform's own endpoints. */
  tenant: string
  /** The endpoint URL as stored. */
  url: string
}

/** The site of an endpoint as stored (or about to be). */
export function credentialSite(endpoint: Pick<EndpointRecord, 'id' | 'url'> & { tenant?: string | null }): CredentialSite {
  // No tenant binds '': credentials sealed before tenants existed still decrypt.
  return { endpointId: endpoint.id, tenant: endpoint.tenant ?? '', url: endpoint.url }
}

/**
 * The associated data that sealed credentials are authenticated with (AES-GCM AAD): the site
 * and every field stored in clear beside them — auth type, OAuth2 token URL, client id, key ids,
 * secret header names. A blob copied to another endpoint, or a URL or field changed behind
 * Hookbox's back, then fails to decrypt instead of sending a secret somewhere new.
 */
export function credentialAssociatedData(site: CredentialSite, clear: Record<string, unknown>): string {
  return JSON.stringify(['hookbox:credentials:2', site.endpointId, site.tenant, site.url, canonical(clear)])
}

/**
 * The value with object keys sorted and undefined members dropped: stores keep JSON in forms
 * that do not preserve key order (Postgres `jsonb`), so the AAD must not depend on it.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]))
}
