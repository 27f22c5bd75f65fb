import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { AuthError, ValidationError } from '../errors.js'

/** A 32-byte key as bytes, or as base64/hex text. */
export type EncryptionKey = Uint8Array | string

/** Encrypts endpoint secrets at rest. */
export interface SecretBox {
  seal(plain: string, context: string): string
  open(sealed: string, context: string): string
}

function toKey(key: EncryptionKey, option: string): Buffer {
  const bytes =
    typeof key === 'string' ? (/^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64')) : Buffer.from(key)
  if (bytes.length !== 32) throw new ValidationError(`${option} must be 32 bytes (base64, hex or bytes)`)
  return bytes
}

/**
 * AES-256-GCM with a random 96-bit IV; `context` is authenticated data (where the secret
 * belongs: see `credentialAssociatedData`), so a sealed value opens only in its place. Several
 * keys may be given for key rotation: the first seals, all are tried to open. Each value names
 * its key by a short fingerprint so opening does not guess. `option` names where the keys came
 * from, for error messages.
 */
export function createSecretBox(keys: EncryptionKey | readonly EncryptionKey[], option = 'security.encryptionKey'): SecretBox {
  const list = (Array.isArray(keys) ? keys : [keys]).map((k) => toKey(k, option))
  if (list.length === 0) throw new ValidationError(`${option} needs at least one key`)
  const kid = (k: Buffer) => createHash('sha256').update(k).digest('base64url').slice(0, 8)
  const byId = new Map(list.map((k) => [kid(k), k]))
  const sealing = list[0]!
  return {
    seal(plain, context) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', sealing, iv).setAAD(Buffer.from(context))
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return ['v1', kid(sealing), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':')
    },
    open(sealed, context) {
      const [version, id, iv, tag, data] = sealed.split(':')
      const key = id ? byId.get(id) : undefined
      if (version !== 'v1' || !key || !iv || !tag || data === undefined)
        throw new AuthError('undecryptable', 'stored endpoint secrets cannot be decrypted with the configured encryption keys')
      try {
        // authTagLength pins the tag to 16 bytes: Node otherwise accepts a truncated tag (down
        // to 4 bytes), which a writer of the store could brute-force.
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 }).setAAD(
          Buffer.from(context),
        )
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
      } catch {
        // The cause is dropped on purpose: it adds nothing and must not echo key material.
        throw new AuthError('undecryptable', 'stored endpoint secrets failed authentication (wrong key or tampered)')
      }
    },
  }
}
