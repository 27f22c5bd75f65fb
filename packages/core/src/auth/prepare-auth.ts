import { generateKeyPair } from 'node:crypto'
import type { PreparedAuth } from '../admin/endpoint-security.js'
import { validateEndpointUrl } from '../admin/validate-url.js'
import type { Clock } from '../clock.js'
import { ValidationError } from '../errors.js'
import { checkEndpointUrl } from '../ssrf/check-endpoint-url.js'
import type { SsrfGuard } from '../ssrf/ssrf-guard.js'
import type { AuthSecrets, JwtAlgorithm, StoredAuth } from './endpoint-auth.js'
import { localKeySigner, type KeySigner } from './key-signer.js'
import {
  checkHmacSecret,
  ed25519KeyObject,
  ed25519PublicKey,
  generateEd25519Pair,
  generateHmacSecret,
  generateToken,
} from './random-secrets.js'
import { isStoredAuth, type SecretCodec } from './stored-auth.js'

/** What {@link prepareAuth} needs from the security configuration. */
export interface PrepareAuthContext {
  codec: SecretCodec
  clock: Clock
  allowHttp: boolean
  guard: SsrfGuard | null
  /** Whether a global JWT key is configured (`security.jwt`). */
  hasGlobalJwt: boolean
  /** The global Ed25519 key (`security.ed25519`), if any. */
  globalEd25519: KeySigner | null
  /** Overlap of old and new HMAC secrets after a rotation (default 24 h). */
  rotationWindowMs: number
}

type Input = Record<string, unknown>
type Previous = { stored: StoredAuth; secrets: AuthSecrets } | null

const str = (input: Input, name: string, max = 2048): string | undefined => {
  const v = input[name]
  if (v === undefined || v === null) return undefined
  // Messages name the field only: the value may be a secret.
  if (typeof v !== 'string' || v.length === 0 || v.length > max || /[\r\n\0]/.test(v))
    throw new ValidationError(`auth.${name} must be a non-empty single-line string`)
  return v
}

const ALGS: JwtAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

/**
 * Turns an `auth` input into its stored form: validates it, generates what is missing
 * (returned once in `revealed`), keeps unchanged secrets on update, encrypts secrets.
 */
export async function prepareAuth(raw: unknown, previous: Record<string, unknown> | null, ctx: PrepareAuthContext): Promise<PreparedAuth> {
  if (raw === undefined || raw === null) return { stored: null }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('auth must be an object with a type')
  const input = raw as Input
  const prev: Previous =
    isStoredAuth(previous) && previous.type === input.type ? { stored: previous, secrets: ctx.codec.read(previous) } : null
  const write = (clear: Record<string, unknown>, secrets: AuthSecrets, revealed?: Record<string, string>): PreparedAuth => ({
    stored: ctx.codec.write(input.type as StoredAuth['type'], clear, secrets),
    ...(revealed ? { revealed } : {}),
  })
  switch (input.type) {
    case 'basic': {
      const given = str(input, 'token', 512)
      if (given !== undefined && /\s/.test(given)) throw new ValidationError('auth.token must not contain whitespace')
      const token = given ?? (input.regenerate || !prev?.secrets.token ? generateToken() : prev.secrets.token)
      return write({}, { token }, token !== given && token !== prev?.secrets.token ? { token } : undefined)
    }
    case 'oauth2': {
      if (input.token !== undefined) return write({ mode: 'static' }, { token: str(input, 'token', 8192)! })
      const tokenUrl = validateEndpointUrl(input.tokenUrl, ctx.allowHttp)
      if (ctx.guard) checkEndpointUrl(tokenUrl, ctx.guard)
      const clientId = str(input, 'clientId')
      // The stored secret is kept only for the same token URL: otherwise whoever may update the
      // endpoint (but is never shown the secret) could have it sent to a server of their own.
      const keep = prev?.stored.tokenUrl === tokenUrl ? prev.secrets.clientSecret : undefined
      const clientSecret = str(input, 'clientSecret') ?? keep
      if (!clientId || !clientSecret)
        throw new ValidationError(
          'oauth2 auth needs either token, or tokenUrl + clientId + clientSecret (clientSecret again when tokenUrl changes)',
        )
      const clientAuth = input.clientAuth ?? 'basic'
      if (clientAuth !== 'basic' && clientAuth !== 'body') throw new ValidationError("auth.clientAuth must be 'basic' or 'body'")
      const clear = { tokenUrl, clientId, clientAuth, scope: str(input, 'scope'), audience: str(input, 'audience') }
      return write(clean(clear), { clientSecret })
    }
    case 'hmac':
      return prepareHmac(input, prev, ctx, write)
    case 'ed25519': {
      const given = str(input, 'privateKey')
      if (given) return write({ keySource: 'endpoint', publicKey: ed25519PublicKey(ed25519KeyObject(given)) }, { privateKey: given })
      if (!input.regenerate && prev?.stored.keySource === 'endpoint')
        return write({ keySource: 'endpoint', publicKey: prev.stored.publicKey }, prev.secrets)
      if (!input.regenerate && ctx.globalEd25519) {
        const jwk = await ctx.globalEd25519.publicJwk()
        return write(
          {
            keySource: 'global',
            keyId: ctx.globalEd25519.keyId,
            publicKey: `whpk_${Buffer.from(jwk.x ?? '', 'base64url').toString('base64')}`,
          },
          {},
        )
      }
      const pair = generateEd25519Pair()
      return write({ keySource: 'endpoint', publicKey: pair.publicKey }, { privateKey: pair.privateKey })
    }
    case 'jwt':
      return prepareJwt(input, prev, ctx, write)
    default:
      throw new ValidationError(`auth.type must be one of jwt, basic, oauth2, hmac, ed25519; got ${JSON.stringify(input.type)}`)
  }
}

type Write = (clear: Record<string, unknown>, secrets: AuthSecrets, revealed?: Record<string, string>) => PreparedAuth

function prepareHmac(input: Input, prev: Previous, ctx: PrepareAuthContext, write: Write): PreparedAuth {
  const now = ctx.clock.now()
  const given = input.secret === undefined ? undefined : checkHmacSecret(input.secret)
  const window = input.rotationWindowMs ?? ctx.rotationWindowMs
  if (typeof window !== 'number' || !Number.isFinite(window) || window < 0)
    throw new ValidationError('auth.rotationWindowMs must be a non-negative number')
  const live = (prev?.secrets.hmac ?? []).filter((s) => s.expiresAt === null || s.expiresAt > now)
  let list: NonNullable<AuthSecrets['hmac']>
  let revealed: Record<string, string> | undefined
  if (input.rotate && live.length > 0) {
    // The new secret signs at once; the old ones keep signing until the window closes.
    const next = given ?? generateHmacSecret()
    if (!given) revealed = { secret: next }
    list = [
      { secret: next, expiresAt: null },
      ...live.map((s) => ({ secret: s.secret, expiresAt: Math.min(s.expiresAt ?? Infinity, now + window) })),
    ]
  } else if (given || live.length === 0) {
    const next = given ?? generateHmacSecret()
    if (!given) revealed = { secret: next }
    list = [{ secret: next, expiresAt: null }]
  } else {
    list = live
  }
  const ends = list.map((s) => s.expiresAt).filter((t): t is number => t !== null)
  return write(ends.length ? { rotationEndsAt: Math.max(...ends) } : {}, { hmac: list }, revealed)
}

async function prepareJwt(input: Input, prev: Previous, ctx: PrepareAuthContext, write: Write): Promise<PreparedAuth> {
  const alg = (input.alg ?? 'RS256') as JwtAlgorithm
  if (!ALGS.includes(alg)) throw new ValidationError(`auth.alg must be one of ${ALGS.join(', ')}`)
  const header = str(input, 'header', 64)?.toLowerCase()
  if (header !== undefined && !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(header)) throw new ValidationError('auth.header must be a header name')
  const scheme = input.scheme === '' ? '' : str(input, 'scheme', 32)
  if (scheme && !/^[\w.-]+$/.test(scheme)) throw new ValidationError('auth.scheme must be a single token such as Bearer')
  const claims = clean({
    issuer: str(input, 'issuer', 256),
    subject: str(input, 'subject', 256),
    audience: str(input, 'audience', 256),
    header,
    scheme,
  })
  let privateKey = str(input, 'privateKey', 16_384)
  if (!privateKey && input.generateKey) privateKey = await generatePem(alg)
  if (
    !privateKey &&
    prev?.stored.keySource === 'endpoint' &&
    prev.secrets.privateKey &&
    (input.alg === undefined || input.alg === prev.stored.alg)
  ) {
    return write(
      { ...claims, keySource: 'endpoint', alg: prev.stored.alg, keyId: prev.stored.keyId, publicJwk: prev.stored.publicJwk },
      prev.secrets,
    )
  }
  if (!privateKey) {
    if (!ctx.hasGlobalJwt)
      throw new ValidationError('jwt auth needs security.jwt (a global key), or privateKey / generateKey: true on the endpoint')
    return write({ ...claims, keySource: 'global' }, {})
  }
  const signer = localKeySigner(privateKey, { alg, keyId: str(input, 'keyId', 256) })
  const publicJwk = { ...(await signer.publicJwk()), kid: signer.keyId, alg, use: 'sig' }
  return write({ ...claims, keySource: 'endpoint', alg, keyId: signer.keyId, publicJwk }, { privateKey })
}

/** A fresh PKCS#8 PEM for `alg`: RSA-4096 (FrankieOne's size), P-256 or Ed25519. */
function generatePem(alg: JwtAlgorithm): Promise<string> {
  const encoding = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: string, priv: string) => (err ? reject(err) : resolve(priv))
    // Async generation: RSA-4096 takes long enough to stall the event loop if done synchronously.
    if (alg === 'RS256') generateKeyPair('rsa', { modulusLength: 4096, ...encoding }, done)
    else if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'prime256v1', ...encoding }, done)
    else generateKeyPair('ed25519', encoding, done)
  })
}

function clean<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
