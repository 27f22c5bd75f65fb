import { AuthError } from '../errors.js'
import { credentialAssociatedData, type CredentialSite } from './credential-binding.js'
import type { AuthSecrets, StoredAuth } from './endpoint-auth.js'
import type { SecretBox } from './secret-box.js'

/** Layout written now: secrets bound to their endpoint, secret headers among them. */
export const STORED_AUTH_VERSION = 2

/** Layout of releases before the binding: secrets authenticated with the auth type only. */
export const UNBOUND_STORED_AUTH_VERSION = 1

/** Reads and writes the secret part of a stored auth: encrypted when a box is configured. */
export interface SecretCodec {
  /** Whether secrets are encrypted at rest (an encryption key is configured). */
  readonly encrypts: boolean
  /** The stored form of `clear` (type and public fields) and `secrets`, sealed for `site`. */
  write(clear: Record<string, unknown> & { type: StoredAuth['type'] }, secrets: AuthSecrets, site: CredentialSite): StoredAuth
  /** The secrets of `stored`, opened only where they were sealed. */
  read(stored: StoredAuth, site: CredentialSite): AuthSecrets
}

/** Whether a stored auth value was written by Hookbox's security layer (this release or an earlier one). */
export function isStoredAuth(value: unknown): value is StoredAuth {
  if (!value || typeof value !== 'object') return false
  const { v, type } = value as StoredAuth
  return (v === STORED_AUTH_VERSION || v === UNBOUND_STORED_AUTH_VERSION) && typeof type === 'string'
}

/**
 * A codec over an optional {@link SecretBox}; without one, secrets are stored in clear.
 * `acceptUnbound` lets secrets sealed by earlier releases (bound to the auth type only) still
 * open, so an upgrade does not lock anyone out; `outbox.endpoints.resealSecrets()` rebinds them.
 */
export function secretCodec(box: SecretBox | null, options: { acceptUnbound: boolean }): SecretCodec {
  const open = (sealed: string, context: string, site: CredentialSite) => {
    try {
      return JSON.parse(box!.open(sealed, context)) as AuthSecrets
    } catch (err) {
      throw new AuthError(
        'undecryptable',
        `the secrets of endpoint ${site.endpointId} failed to decrypt (${(err as Error).message}); with the right key, this means ` +
          'the row was changed outside Hookbox: secrets copied from another endpoint, or its url, token URL or auth fields edited',
        { cause: err },
      )
    }
  }
  return {
    encrypts: box !== null,
    write(clear, secrets, site) {
      const base: StoredAuth = { ...clear, v: STORED_AUTH_VERSION }
      return box
        ? { ...base, enc: box.seal(JSON.stringify(secrets), credentialAssociatedData(site, base)) }
        : { ...base, secrets: { ...secrets } }
    },
    read(stored, site) {
      // In clear: no copy of the record (this runs on every attempt).
      if (typeof stored.enc !== 'string') return (stored.secrets ?? {}) as AuthSecrets
      const { enc, secrets: _secrets, ...clear } = stored
      if (!box)
        throw new AuthError(
          'undecryptable',
          `the secrets of endpoint ${site.endpointId} are encrypted but no encryption key is configured (security.encryptionKey or HOOKBOX_ENCRYPTION_KEY)`,
        )
      if (stored.v === STORED_AUTH_VERSION) return open(enc, credentialAssociatedData(site, clear), site)
      if (!options.acceptUnbound)
        throw new AuthError(
          'unbound',
          `the secrets of endpoint ${site.endpointId} were sealed by an earlier release without their endpoint binding, and ` +
            'security.acceptUnboundSecrets is false; run outbox.endpoints.resealSecrets() with acceptUnboundSecrets: true first',
        )
      // The earlier layout: the auth type was the only associated data.
      return open(enc, `hookbox:auth:${stored.type}`, site)
    },
  }
}
