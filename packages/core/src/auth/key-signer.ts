import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { ValidationError } from '../errors.js'
import type { JwtAlgorithm } from './endpoint-auth.js'

/**
 * Signs bytes with a private key that may live outside the process (KMS, HSM, Vault transit).
 * Hookbox never needs the private key itself: implement this to keep it in your KMS.
 *
 * @example
 * ```ts
 * const kms: KeySigner = {
 *   alg: 'RS256', keyId: 'kms-2026-01',
 *   sign: async (data) => kmsClient.sign({ KeyId, Message: data, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }),
 *   publicJwk: () => publicJwkFromKms,
 * }
 * ```
 */
export interface KeySigner {
  /** JWS algorithm: RS256 (RSASSA-PKCS1-v1_5 SHA-256), ES256 (P-256, r‖s), EdDSA (Ed25519). */
  readonly alg: JwtAlgorithm
  /** `kid` published in the JWKS and put in every token header. */
  readonly keyId: string
  /** The raw signature of `data`. */
  sign(data: Uint8Array): Promise<Uint8Array>
  /** The public key as a JWK (without `kid`/`alg`, which Hookbox adds). */
  publicJwk(): Promise<JWK> | JWK
}

const MIN_RSA_BITS = 2048

/** Checks that a key fits the algorithm (and that RSA keys are at least 2048 bits). */
export function checkKeyForAlg(key: KeyObject, alg: JwtAlgorithm): void {
  const type = key.asymmetricKeyType
  const ok =
    (alg === 'RS256' && type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS) ||
    (alg === 'ES256' && type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    (alg === 'EdDSA' && type === 'ed25519')
  if (!ok) throw new ValidationError(`the private key (${type}) does not fit ${alg}${alg === 'RS256' ? ' (RSA ≥ 2048 bits)' : ''}`)
}

/** Parses a PKCS#8/PKCS#1/SEC1 PEM (or passes a KeyObject through) as a private key. */
export function toPrivateKey(key: string | KeyObject): KeyObject {
  if (typeof key !== 'string') return key
  try {
    return createPrivateKey(key)
  } catch {
    // Never include the input: it is a private key.
    throw new ValidationError('privateKey is not a PEM private key')
  }
}

/** A {@link KeySigner} over a private key held in memory. `keyId` defaults to the JWK thumbprint. */
export function localKeySigner(
  privateKey: string | KeyObject,
  options: { alg?: JwtAlgorithm; keyId?: string } = {},
): KeySigner & { key: KeyObject } {
  const key = toPrivateKey(privateKey)
  const alg = options.alg ?? 'RS256'
  checkKeyForAlg(key, alg)
  const jwk = publicJwkOf(key)
  return {
    alg,
    keyId: options.keyId ?? jwkThumbprint(jwk),
    key,
    publicJwk: () => jwk,
    sign: async (data) => sign(alg === 'EdDSA' ? null : 'sha256', data, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key),
  }
}

/** RFC 7638 SHA-256 thumbprint of a public JWK (RSA, EC or OKP), computed synchronously. */
export function jwkThumbprint(jwk: JWK): string {
  const members = jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x']
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m as keyof JWK]])))
  return createHash('sha256').update(canonical).digest('base64url')
}

/** The public JWK of a private or public key, with only public members. */
export function publicJwkOf(key: KeyObject): JWK {
  return createPublicKey(key).export({ format: 'jwk' }) as JWK
}
