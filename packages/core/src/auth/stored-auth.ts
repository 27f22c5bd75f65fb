import { AuthError } from '../errors.js'
import type { AuthSecrets, StoredAuth } from './endpoint-auth.js'
import type { SecretBox } from './secret-box.js'

/** Version marker of the stored form, so auth written by other layers is recognised. */
export const STORED_AUTH_VERSION = 1

/** Reads and writes the secret part of a stored auth: encrypted when a box is configured. */
export interface SecretCodec {
  write(type: StoredAuth['type'], clear: Record<string, unknown>, secrets: AuthSecrets): StoredAuth
  read(stored: StoredAuth): AuthSecrets
}

/** Whether a stored auth value was written by Hookbox's security layer. */
export function isStoredAuth(value: unknown): value is StoredAuth {
  return (
    !!value &&
    typeof value === 'object' &&
    (value as StoredAuth).v === STORED_AUTH_VERSION &&
    typeof (value as StoredAuth).type === 'string'
  )
}

/** A codec over an optional {@link SecretBox}; without one, secrets are stored in clear. */
export function secretCodec(box: SecretBox | null): SecretCodec {
  // The type is authenticated data, so ciphertext cannot be swapped between kinds of auth.
  const context = (type: string) => `hookbox:auth:${type}`
  return {
    write(type, clear, secrets) {
      const base = { ...clear, type, v: STORED_AUTH_VERSION }
      return box ? { ...base, enc: box.seal(JSON.stringify(secrets), context(type)) } : { ...base, secrets: { ...secrets } }
    },
    read(stored) {
      if (typeof stored.enc === 'string') {
        if (!box) throw new AuthError('undecryptable', 'endpoint secrets are encrypted but no security.encryptionKey is configured')
        return JSON.parse(box.open(stored.enc, context(stored.type))) as AuthSecrets
      }
      return (stored.secrets ?? {}) as AuthSecrets
    },
  }
}
