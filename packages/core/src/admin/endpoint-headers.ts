import { ValidationError } from '../errors.js'

// Set by Hookbox on every request; an endpoint cannot override them.
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
])

/**
 * Checks an endpoint's custom headers (`headers` or `publicHeaders`): names lower-cased,
 * values single-line strings. Messages name the header, never its value (it may be a secret).
 */
export function checkHeaders(headers: unknown, field = 'headers'): Record<string, string> {
  if (headers === undefined || headers === null) return {}
  if (typeof headers !== 'object' || Array.isArray(headers))
    throw new ValidationError(`${field} must be an object of header names to strings`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase()
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new ValidationError(`invalid header name ${JSON.stringify(k)}`)
    if (FORBIDDEN_HEADERS.has(name)) throw new ValidationError(`header ${k} is set by Hookbox and cannot be overridden`)
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw new ValidationError(`header ${k} must be a string without line breaks`)
    out[name] = v
  }
  return out
}
