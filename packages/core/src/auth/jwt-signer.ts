import type { KeyObject } from 'node:crypto'
import { base64url, SignJWT, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose'
import { ValidationError } from '../errors.js'
import type { JwtAlgorithm } from './endpoint-auth.js'
import { localKeySigner, type KeySigner } from './key-signer.js'

/** Signs webhook JWTs and publishes the matching public keys. */
export interface JwtSigner {
  /** A compact JWS (`header.payload.signature`) over `claims`, with `kid` in the header. */
  sign(claims: JWTPayload): Promise<string>
  /** The public keys receivers verify with, as a JWKS (serve it at e.g. `/.well-known/jwks.json`). */
  jwks(): Promise<JSONWebKeySet>
}

/** Options of {@link createJwtSigner}: a private key in memory, or a {@link KeySigner} (KMS). */
export interface JwtSignerOptions {
  /** PKCS#8 PEM (or KeyObject). RSA-4096 is what FrankieOne uses. */
  privateKey?: string | KeyObject
  /** A key kept elsewhere; used instead of `privateKey`. */
  signer?: KeySigner
  /** Algorithm of `privateKey` (default RS256). */
  alg?: JwtAlgorithm
  /** `kid` (default: RFC 7638 thumbprint of the public key). */
  keyId?: string
  /** Extra public keys kept in the JWKS, e.g. the previous key during a rotation. */
  publishedKeys?: JWK[]
}

/**
 * Creates a JWT signer. With a local key it signs through jose; with a {@link KeySigner} it
 * assembles the JWS itself and asks the signer for the signature only.
 *
 * @example
 * ```ts
 * const jwt = createJwtSigner({ privateKey: fs.readFileSync('webhooks-rsa4096.pem', 'utf8') })
 * app.get('/.well-known/jwks.json', async (_req, res) => res.json(await jwt.jwks()))
 * ```
 */
export function createJwtSigner(options: JwtSignerOptions): JwtSigner {
  if (!options.privateKey && !options.signer) throw new ValidationError('createJwtSigner needs a privateKey or a signer')
  // Parsed up front so a bad key fails at configuration time, not at the first delivery.
  const s: KeySigner & { key?: KeyObject } =
    options.signer ?? localKeySigner(options.privateKey!, { alg: options.alg, keyId: options.keyId })
  return {
    async sign(claims) {
      const header = { alg: s.alg, typ: 'JWT', kid: s.keyId }
      if (s.key) return new SignJWT(claims).setProtectedHeader(header).sign(s.key)
      const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`
      return `${input}.${base64url.encode(await s.sign(new TextEncoder().encode(input)))}`
    },
    async jwks() {
      const current = { ...(await s.publicJwk()), kid: s.keyId, alg: s.alg, use: 'sig' }
      return { keys: [current, ...(options.publishedKeys ?? [])] }
    },
  }
}
