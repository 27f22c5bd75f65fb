import type { EndpointRecord } from '../store/records.js'
import { STORED_AUTH_VERSION, isStoredAuth } from './stored-auth.js'

/** What replaces a secret in every view. */
export const REDACTED = '[redacted]'

/** Secret fields a stored auth holds, by type and shape, for the redacted view. */
function secretNames(stored: Record<string, unknown>): string[] {
  const signing = stored.type === 'hmac' || stored.signed === true ? ['secret'] : []
  switch (stored.type) {
    case 'basic':
      return ['token', ...signing]
    case 'oauth2':
      return [stored.tokenUrl ? 'clientSecret' : 'token', ...signing]
    case 'jwt':
    case 'ed25519':
      return [...(stored.keySource === 'endpoint' ? ['privateKey'] : []), ...signing]
    default:
      return signing
  }
}

/**
 * The stored auth as shown to callers: public fields (type, key ids, public keys, token URL,
 * client id…) kept, every secret replaced by `[redacted]`. Auth not written by this layer is
 * redacted entirely except its type, since its secrets cannot be told apart.
 */
export function redactAuth(stored: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!stored) return null
  if (!isStoredAuth(stored)) return Object.fromEntries(Object.keys(stored).map((k) => [k, k === 'type' ? stored[k] : REDACTED]))
  const { enc: _enc, secrets: _secrets, v: _v, signed: _signed, headerNames: _names, ...clear } = stored
  for (const name of secretNames(stored)) clear[name] = REDACTED
  return clear
}

/**
 * An endpoint's `auth` and `headers` as every view shows them: secrets redacted, header names
 * visible. Public headers keep their values; secret ones show `[redacted]`. Headers stored by
 * an earlier release (all in clear, none marked public) are all redacted.
 */
export function credentialView(endpoint: EndpointRecord): Pick<EndpointRecord, 'auth' | 'headers'> {
  const auth = endpoint.auth
  const current = isStoredAuth(auth) && auth.v === STORED_AUTH_VERSION
  const secret = current ? (auth.headerNames ?? []) : Object.keys(endpoint.headers)
  const headers = { ...(current ? endpoint.headers : {}), ...Object.fromEntries(secret.map((n) => [n, REDACTED])) }
  return { auth: redactAuth(auth), headers }
}
