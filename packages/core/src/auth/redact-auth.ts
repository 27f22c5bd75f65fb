import { isStoredAuth } from './stored-auth.js'

/** What replaces a secret in every view. */
export const REDACTED = '[redacted]'

/** Secret fields a stored auth holds, by type and shape, for the redacted view. */
function secretNames(stored: Record<string, unknown>): string[] {
  switch (stored.type) {
    case 'basic':
      return ['token']
    case 'oauth2':
      return stored.tokenUrl ? ['clientSecret'] : ['token']
    case 'hmac':
      return ['secret']
    case 'jwt':
    case 'ed25519':
      return stored.keySource === 'endpoint' ? ['privateKey'] : []
    default:
      return []
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
  const { enc: _enc, secrets: _secrets, v: _v, ...clear } = stored
  for (const name of secretNames(stored)) clear[name] = REDACTED
  return clear
}
