import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { ValidationError } from '../errors.js'

/** A fresh Attestr-style token: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

/** A fresh Standard Webhooks HMAC secret: `whsec_` + base64 of 32 random bytes. */
export function generateHmacSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** Checks a `whsec_…` secret (or bare base64) decodes to 24–64 bytes, as Standard Webhooks asks. */
export function checkHmacSecret(secret: unknown): string {
  if (typeof secret !== 'string') throw new ValidationError('hmac secret must be a string like whsec_<base64>')
  const b64 = secret.replace(/^whsec_/, '')
  const bytes = Buffer.from(b64, 'base64')
  // Node's decoder is lenient (base64url alphabet, whitespace); the standardwebhooks library a
  // receiver verifies with throws on those, so only canonical base64 (padding optional) is accepted.
  const canonical = bytes.toString('base64')
  if (b64 !== canonical && b64 !== canonical.replace(/=+$/, ''))
    throw new ValidationError('hmac secret must be whsec_ followed by standard base64')
  if (bytes.length < 24 || bytes.length > 64) throw new ValidationError('hmac secret must decode to 24–64 bytes (use whsec_<base64>)')
  return secret
}

// PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** A fresh Ed25519 pair in Standard Webhooks form: `whsk_<seed>` and `whpk_<public key>`. */
export function generateEd25519Pair(): { privateKey: string; publicKey: string } {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
  const b64 = (v: string | undefined) => Buffer.from(v!, 'base64url').toString('base64')
  return { privateKey: `whsk_${b64(jwk.d)}`, publicKey: `whpk_${b64(jwk.x)}` }
}

/** The private KeyObject of a `whsk_…` key. */
export function ed25519KeyObject(whsk: string): KeyObject {
  const seed = Buffer.from(whsk.replace(/^whsk_/, ''), 'base64')
  if (seed.length !== 32) throw new ValidationError('ed25519 private key must be whsk_<base64 of a 32-byte seed>')
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

/** The `whpk_…` public key of an Ed25519 KeyObject (private or public). */
export function ed25519PublicKey(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' })
  return `whpk_${Buffer.from(jwk.x!, 'base64url').toString('base64')}`
}

/** A public KeyObject from `whpk_…`. */
export function ed25519PublicKeyObject(whpk: string): KeyObject {
  const raw = Buffer.from(whpk.replace(/^whpk_/, ''), 'base64')
  if (raw.length !== 32) throw new ValidationError('ed25519 public key must be whpk_<base64 of 32 bytes>')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
}
