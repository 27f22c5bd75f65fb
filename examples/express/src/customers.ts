/**
 * Who is calling: each customer of the service is a Hookbox tenant and calls with its own API
 * key in the `X-Api-Key` header. This module is the only place that maps a credential to a
 * tenant; another front end (a portal with sessions) reuses {@link CustomerDirectory} and
 * {@link setTenant} and {@link tenantOf} so every route reads the tenant the same way.
 */
import { createHash } from 'node:crypto'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { checkTenant } from '@hookbox/core'
import { HttpError } from './context.js'

/** The header a customer's API key travels in. */
export const API_KEY_HEADER = 'x-api-key'

/** Maps API keys to tenants. Keys are held as SHA-256 digests, never in clear. */
export interface CustomerDirectory {
  /** The tenant whose key this is, or undefined. */
  tenantForKey(apiKey: string): string | undefined
  /** Every tenant that has a key. */
  tenants(): string[]
}

/**
 * A directory from `{ apiKey: tenant }`. Throws on a malformed tenant (Hookbox's token rules)
 * or an empty key, so a bad configuration fails at start, not at the first call.
 */
export function customerDirectory(keys: Record<string, string>): CustomerDirectory {
  const byDigest = new Map<string, string>()
  for (const [apiKey, tenant] of Object.entries(keys)) {
    if (!apiKey) throw new Error('an API key must not be empty')
    const checked = checkTenant(tenant)
    if (checked === null) throw new Error('an API key must name its tenant')
    byDigest.set(digest(apiKey), checked)
  }
  return {
    // Looking up the digest compares no secret byte by byte.
    tenantForKey: (apiKey) => byDigest.get(digest(apiKey)),
    tenants: () => [...new Set(byDigest.values())].sort(),
  }
}

/** Parses `CUSTOMER_KEYS`: `tenant:apiKey` pairs, comma-separated (`acme:k1,globex:k2`). */
export function parseCustomerKeys(spec: string): Record<string, string> {
  const keys: Record<string, string> = {}
  for (const pair of spec.split(',').filter(Boolean)) {
    const at = pair.indexOf(':')
    if (at <= 0) throw new Error(`CUSTOMER_KEYS: expected tenant:apiKey, got "${pair}"`)
    keys[pair.slice(at + 1)] = pair.slice(0, at)
  }
  return keys
}

/** Middleware: answers 401 unless the request carries a known API key; else records its tenant. */
export function requireCustomer(directory: CustomerDirectory): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const tenant = directory.tenantForKey(req.get(API_KEY_HEADER) ?? '')
    if (!tenant) return next(new HttpError(401, 'UNAUTHORIZED', `a customer API key is required (${API_KEY_HEADER})`))
    setTenant(res, tenant)
    next()
  }
}

/**
 * Records who the request is for: {@link requireCustomer} does this from an API key; a portal's
 * middleware does it from its session, and the same routes then serve it.
 */
export function setTenant(res: Response, tenant: string): void {
  res.locals.tenant = tenant
}

/** The calling customer's tenant, as {@link requireCustomer} (or a portal's session check) recorded it. */
export function tenantOf(res: Response): string {
  const tenant: unknown = res.locals.tenant
  if (typeof tenant !== 'string') throw new Error('tenantOf: no customer on this request (requireCustomer not mounted)')
  return tenant
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url')
}
