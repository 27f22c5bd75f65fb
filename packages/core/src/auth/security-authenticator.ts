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
import { ed25519Signer, hmacKey, hmacSignature } from './webhook-signer.js'
import type { AuthSecrets, JwtAlgorithm, SigningSecret, StoredAuth } from './endpoint-auth.js'
import { AuthError } from '../errors.js'
import { credentialSite } from './credential-binding.js'
import { liveSigningSecrets } from './signing-secrets.js'

/** Global settings the authenticator falls back on when an endpoint has none of its own. */
export interface AuthenticatorConfig {
  codec: SecretCodec
  tokens: OAuth2TokenCache
  jwt: { signer: JwtSigner | null; issuer: string; ttlSeconds: number; header: string; scheme: string }
  ed25519: KeySigner | null
  now: () => number
}

/** A scheme whose global key is not configured (any more): fail closed, naming the option. */
function notConfigured(ctx: AttemptContext, type: string, option: string): AuthError {
  return new AuthError('not_configured', `endpoint ${ctx.endpoint.id} uses the global ${type} key, but ${option} is not configured`)
}

/**
 * The authenticator behind `security`: reads each endpoint's stored auth, decrypts its
 * secrets (only where they were sealed) and adds the matching headers: secret headers, the
 * Standard Webhooks signature, then the scheme's own. Anything it cannot apply throws, so the
 * attempt fails rather than going out unprotected. A 401 on a client-credentials endpoint
 * drops the rejected token, so the resend (one, by the dispatcher) carries a fresh one.
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

  const content = (ctx: AttemptContext) => ({ id: ctx.messageId, timestamp: ctx.timestamp, body: ctx.body })
  const missing = (ctx: AttemptContext, what: string) =>
    new AuthError('undecryptable', `endpoint ${ctx.endpoint.id} is missing ${what} among its stored secrets`)

  // Decoded keys by secret record: the records of secrets stored in clear are the routing's own,
  // the same on every attempt, so each is decoded once (a weak map: nothing outlives its endpoint).
  const hmacKeys = new WeakMap<SigningSecret, Buffer>()
  const keyOf = (s: SigningSecret) => {
    let key = hmacKeys.get(s)
    if (!key) hmacKeys.set(s, (key = hmacKey(s.secret)))
    return key
  }

  /** `v1` signatures with the endpoint's live signing secrets, when it is signed (synchronous: node's HMAC). */
  const hmacSignatures = (ctx: AttemptContext, stored: StoredAuth, secrets: AuthSecrets): string[] => {
    if (!stored.signed && stored.type !== 'hmac') return []
    const live = liveSigningSecrets(secrets.hmac, config.now())
    if (live.length === 0) throw missing(ctx, 'a signing secret')
    const signed = content(ctx)
    return live.map((s) => hmacSignature(keyOf(s), signed))
  }
  const withSignatures = (out: Record<string, string>, signatures: string[]) => {
    if (signatures.length) out['webhook-signature'] = signatures.join(' ')
    return out
  }

  return {
    headers(ctx) {
      const stored = ctx.endpoint.auth
      // No auth at all: an endpoint from before signing by default, sent unsigned as it was.
      if (stored === null) return {}
      if (!isStoredAuth(stored))
        throw new AuthError(
          'not_applicable',
          `endpoint ${ctx.endpoint.id} has auth (type ${JSON.stringify(stored.type)}) that was stored as given by an outbox without ` +
            'security and never applied; set it again with outbox.endpoints.update(id, { auth })',
        )
      const secrets = config.codec.read(stored, credentialSite(ctx.endpoint))
      const out: Record<string, string> = {}
      for (const name of stored.headerNames ?? []) {
        const value = secrets.headers?.[name]
        if (value === undefined) throw missing(ctx, `the value of header ${name}`)
        out[name] = value
      }
      // Ed25519 (maybe through a KMS), token fetches and JWTs wait; HMAC, basic and static
      // bearer tokens answer at once, with no promise per attempt.
      if (stored.type === 'ed25519' || stored.type === 'jwt' || (stored.type === 'oauth2' && stored.tokenUrl))
        return waitedHeaders(ctx, stored, secrets, out)
      withSignatures(out, hmacSignatures(ctx, stored, secrets))
      switch (stored.type) {
        case 'basic':
          return { ...out, authorization: `Basic ${secrets.token ?? missingToken(ctx)}` }
        case 'oauth2':
          return { ...out, authorization: `Bearer ${secrets.token ?? missingToken(ctx)}` }
        default:
          return out
      }
    },
    async onUnauthorized(ctx) {
      const token = usedTokens.get(ctx)
      if (!token) return false
      usedTokens.delete(ctx)
      return config.tokens.invalidate(ctx.endpoint.id, token)
    },
  }

  function missingToken(ctx: AttemptContext): never {
    throw missing(ctx, 'its credential')
  }
  function missingKey(ctx: AttemptContext): never {
    throw missing(ctx, 'its private key')
  }

  /** The schemes that wait: an Ed25519 signature (before the HMAC ones), an OAuth2 token, a JWT. */
  async function waitedHeaders(
    ctx: AttemptContext,
    stored: StoredAuth,
    secrets: AuthSecrets,
    out: Record<string, string>,
  ): Promise<Record<string, string>> {
    const signatures: string[] = []
    if (stored.type === 'ed25519') {
      const key =
        stored.keySource === 'endpoint'
          ? await endpointSigner(ctx.endpoint, async () =>
              localKeySigner(ed25519KeyObject(secrets.privateKey ?? missingKey(ctx)), { alg: 'EdDSA' }),
            )
          : config.ed25519
      if (!key) throw notConfigured(ctx, 'ed25519', 'security.ed25519')
      signatures.push(...(await ed25519Signer(key).sign(content(ctx))))
    }
    signatures.push(...hmacSignatures(ctx, stored, secrets))
    withSignatures(out, signatures)
    if (stored.type === 'oauth2') {
      const token = await config.tokens.get(ctx.endpoint.id, {
        tokenUrl: stored.tokenUrl as string,
        clientId: stored.clientId as string,
        clientSecret: secrets.clientSecret ?? missingToken(ctx),
        scope: stored.scope as string | undefined,
        audience: stored.audience as string | undefined,
        clientAuth: stored.clientAuth as 'basic' | 'body' | undefined,
      })
      usedTokens.set(ctx, token)
      return { ...out, authorization: `Bearer ${token}` }
    }
    if (stored.type === 'jwt') return { ...out, ...(await jwtHeaders(ctx, stored, secrets.privateKey)) }
    return out
  }

  async function jwtHeaders(ctx: AttemptContext, stored: StoredAuth, privateKey: string | undefined): Promise<Record<string, string>> {
    // A customer-specific key that went missing must not fall back to the global key: fail closed.
    if (stored.keySource === 'endpoint' && !privateKey) missingKey(ctx)
    const signer =
      stored.keySource === 'endpoint' && privateKey
        ? await endpointSigner(ctx.endpoint, async () =>
            createJwtSigner({ privateKey, alg: stored.alg as JwtAlgorithm, keyId: stored.keyId as string }),
          )
        : config.jwt.signer
    if (!signer) throw notConfigured(ctx, 'jwt', 'security.jwt')
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
