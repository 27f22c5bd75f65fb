import { HookboxError } from '@hookbox/core'
import { withSecurityHeaders } from './security-headers.js'

/** A JSON response with the portal's security headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: withSecurityHeaders({ 'content-type': 'application/json', ...headers }) })
}

// HTTP status for each error code the portal can meet; unlisted validation codes are 400.
const STATUS: Partial<Record<string, number>> = {
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  CSRF: 403,
  RATE_LIMITED: 429,
  TENANT_CHANGE: 400,
  STORE: 500,
  MIGRATION_REQUIRED: 500,
  AUTH: 500,
}

/**
 * The JSON error answer `{ error: { code, message } }`: a Hookbox error keeps its code and
 * message (they name fields, never secret values); anything else is a 500 with no detail.
 */
export function errorResponse(error: unknown): Response {
  if (error instanceof HookboxError) {
    const status = STATUS[error.code] ?? 400
    if (status >= 500) return json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500)
    const headers: Record<string, string> = {}
    if ('retryAfterMs' in error && typeof error.retryAfterMs === 'number')
      headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000))
    return json({ error: { code: error.code, message: error.message } }, status, headers)
  }
  return json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500)
}
