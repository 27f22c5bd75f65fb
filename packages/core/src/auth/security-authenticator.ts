import { AuthError } from '../errors.js'
import type { Authenticator, AttemptContext } from '../http/authenticator.js'
import type { EndpointRecord } from '../store/records.js'
import type { JwtSigner } from './jwt-signer.js'
import { createJwtSigner } from './jwt-signer.js'
import { webhookJwtClaims } from './jwt-claims.js'
import type { KeySigner } from './key-signer.js'
import { localKeySigner } from './key-signer.js'
import type { OAuth2TokenCache } from './oauth2-token-cache.js'
import { ed25519KeyObject } from './random-secrets.js'
import { isStoredAuth, type SecretCodec } from './stored-auth.js'
import { ed25519Signer, hmacSigner } from './webhook-signer.js'
import type { JwtAlgorithm, StoredAuth } from './endpoint-auth.js'

/** Global settings the authenticator falls back on when an endpoint has none of its own. */
export interface AuthenticatorConfig {
  codec: SecretCodec
  tokens: OAuth2TokenCache
  jwt: { signer: JwtSigner | null; issuer: string; ttlSeconds: number; header: string; scheme: string }
  ed25519: KeySigner | null
  now: () => number
}

/**
 * The authenticator behind `security`: reads each endpoint's stored auth, decrypts its
 * secrets and adds the matching headers. A 401 on a client-credentials endpoint drops the
 * rejected token, so the resend (one, by the dispatcher) carries a fresh one.
 */
export function createSecurityAuthenticator(config: AuthenticatorConfig): Authenticator {
  // Per-endpoint signers are costly to import (PEM parse, thumbprint): cache by stored ciphertext.
  const signers = new Map<string, { fingerprint: string; signer: Promise<unknown> }>()
  const usedTokens = new WeakMap<AttemptContext, string>()

  const endpointSigner = <T>(endpoint: EndpointRecord, make: () => Promise<T>): Promise<T> => {
    const fingerprint = JSON.stringify([endpoint.auth?.enc, endpoint.auth?.secrets, endpoint.auth?.alg])
    const hit = signers.get(endpoint.id)
    if (hit?.fingerprint === fingerprint) return hit.signer as Promise<T>
    const signer = make()
    signers.set(endpoint.id, { fingerprint, signer })
    signer.catch(() => signers.delete(endpoint.id))
    return signer
  }

  const signatureHeader = (sigs: string[]) => ({ 'webhook-signature': sigs.join(' ') })
  const content = (ctx: AttemptContext) => ({ id: ctx.messageId, timestamp: ctx.timestamp, body: ctx.body })

  return {
    async headers(ctx) {
      const stored = ctx.endpoint.auth
      if (!isStoredAuth(stored)) return {}
      const secrets = config.codec.read(stored)
      switch (stored.type) {
        case 'basic':
          return { authorization: `Basic ${secrets.token}` }
        case 'oauth2': {
          if (!stored.tokenUrl) return { authorization: `Bearer ${secrets.token}` }
          const token = await config.tokens.get(ctx.endpoint.id, {
            tokenUrl: stored.tokenUrl as string,
            clientId: stored.clientId as string,
            clientSecret: secrets.clientSecret!,
            scope: stored.scope as string | undefined,
            audience: stored.audience as string | undefined,
            clientAuth: stored.clientAuth as 'basic' | 'body' | undefined,
          })
          usedTokens.set(ctx, token)
          return { authorization: `Bearer ${token}` }
        }
        case 'hmac': {
          const now = config.now()
          const live = (secrets.hmac ?? []).filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret)
          return signatureHeader(await hmacSigner(live).sign(content(ctx)))
        }
        case 'ed25519': {
          const key =
            stored.keySource === 'endpoint'
              ? await endpointSigner(ctx.endpoint, async () => localKeySigner(ed25519KeyObject(secrets.privateKey!), { alg: 'EdDSA' }))
              : config.ed25519
          if (!key) throw new AuthError('missing_key', 'ed25519 endpoint uses the global key but security.ed25519 is not configured')
          return signatureHeader(await ed25519Signer(key).sign(content(ctx)))
        }
        case 'jwt':
          return jwtHeaders(ctx, stored, secrets.privateKey)
        default:
          return {}
      }
    },
    async onUnauthorized(ctx) {
      const token = usedTokens.get(ctx)
      if (!token) return false
      usedTokens.delete(ctx)
      return config.tokens.invalidate(ctx.endpoint.id, token)
    },
  }

  async function jwtHeaders(ctx: AttemptContext, stored: StoredAuth, privateKey: string | undefined): Promise<Record<string, string>> {
    // A customer-specific key that went missing must not fall back to the global key: fail closed.
    if (stored.keySource === 'endpoint' && !privateKey)
      throw new AuthError('missing_key', 'jwt endpoint has its own key, but the key is missing')
    const signer =
      stored.keySource === 'endpoint' && privateKey
        ? await endpointSigner(ctx.endpoint, async () =>
            createJwtSigner({ privateKey, alg: stored.alg as JwtAlgorithm, keyId: stored.keyId as string }),
          )
        : config.jwt.signer
    if (!signer) throw new AuthError('missing_key', 'jwt endpoint uses the global key but security.jwt is not configured')
    const token = await signer.sign(
      webhookJwtClaims(ctx, {
        issuer: (stored.issuer as string | undefined) ?? config.jwt.issuer,
        subject: stored.subject as string | undefined,
        audience: stored.audience as string | undefined,
        ttlSeconds: config.jwt.ttlSeconds,
      }),
    )
    const scheme = (stored.scheme as string | undefined) ?? config.jwt.scheme
    return { [(stored.header as string | undefined) ?? config.jwt.header]: scheme ? `${scheme} ${token}` : token }
  }
}
