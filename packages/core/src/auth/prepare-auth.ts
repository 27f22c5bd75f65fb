import { generateKeyPair } from 'node:crypto'
import { validateEndpointUrl } from '../admin/validate-url.js'
import { AuthNotApplicableError, ValidationError } from '../errors.js'
import { checkEndpointUrl } from '../ssrf/check-endpoint-url.js'
import type { SsrfGuard } from '../ssrf/ssrf-guard.js'
import type { AuthSecrets, JwtAlgorithm, StoredAuth } from './endpoint-auth.js'
import { localKeySigner, type KeySigner } from './key-signer.js'
import { ed25519KeyObject, ed25519PublicKey, generateEd25519Pair, generateToken } from './random-secrets.js'
import type { SigningChange } from './signing-secrets.js'

/** What {@link prepareScheme} needs from the security configuration. */
export interface PrepareAuthContext {
  /** Whether `http:` token URLs are accepted (`http.allowHttp`, shared with the outbox). */
  allowHttp: () => boolean
  guard: SsrfGuard | null
  /** Whether a global JWT key is configured (`security.jwt`). */
  hasGlobalJwt: boolean
  /** The global Ed25519 key (`security.ed25519`), if any. */
  globalEd25519: KeySigner | null
}

/** The scheme part of an endpoint's credentials, ready to store. */
export interface PreparedScheme {
  /** Public fields, stored in clear, `type` included. */
  clear: Record<string, unknown> & { type: StoredAuth['type'] }
  /** The scheme's own secrets (token, private key, client secret). */
  secrets: AuthSecrets
  /** Generated secrets, shown once. */
  revealed?: Record<string, string>
  /** Credentials the receiver sees in clear that were carried over from the stored auth. */
  kept: string[]
  /** `hmac` only: how the signing secrets change (the other schemes keep them). */
  signing?: SigningChange
}

/** The scheme and secrets stored before, when the type is unchanged. */
export type PreviousScheme = { stored: StoredAuth; secrets: AuthSecrets } | null

type Input = Record<string, unknown>

const str = (input: Input, name: string, max = 2048, lines = false): string | undefined => {
  const v = input[name]
  if (v === undefined || v === null) return undefined
  // Messages name the field only: the value may be a secret. A PEM key has lines; nothing else may.
  if (typeof v !== 'string' || v.length === 0 || v.length > max || (lines ? /\0/ : /[\r\n\0]/).test(v)) {
    if (v === '') throw new AuthNotApplicableError(`auth.${name}`, `auth.${name} is empty; give a value, or leave it out to generate one`)
    throw new ValidationError(`auth.${name} must be a non-empty single-line string`)
  }
  return v
}

const ALGS: JwtAlgorithm[] = ['RS256', 'ES256', 'EdDSA']
const TYPES = ['hmac', 'ed25519', 'jwt', 'basic', 'oauth2', 'none']

/** The scheme's own clear fields of a stored auth, without the layout's (`v`, `enc`, `signed`, …). */
export function schemeClear(stored: StoredAuth): PreparedScheme['clear'] {
  const { v: _v, enc: _enc, secrets: _s, signed: _signed, headerNames: _h, rotationEndsAt: _r, ...clear } = stored
  return clear
}

/**
 * Validates an `auth` input and turns it into its stored scheme: generates what is missing
 * (returned once in `revealed`), keeps unchanged secrets on update. A scheme this outbox
 * cannot apply throws {@link AuthNotApplicableError} naming what is missing.
 */
export async function prepareScheme(raw: unknown, prev: PreviousScheme, ctx: PrepareAuthContext): Promise<PreparedScheme> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AuthNotApplicableError(
      'auth',
      "auth must be an object with a type: { type: 'hmac' } (the default), 'basic', 'oauth2', 'jwt', 'ed25519', or { type: 'none' } for no signature",
    )
  const input = raw as Input
  if (!TYPES.includes(input.type as string))
    throw new AuthNotApplicableError('auth.type', `auth.type must be one of ${TYPES.join(', ')}; got ${JSON.stringify(input.type)}`)
  const same = prev?.stored.type === input.type ? prev : null
  switch (input.type) {
    case 'none':
      return { clear: { type: 'none' }, secrets: {}, kept: [] }
    case 'basic': {
      const given = str(input, 'token', 512)
      if (given !== undefined && /\s/.test(given)) throw new ValidationError('auth.token must not contain whitespace')
      const stored = input.regenerate ? undefined : same?.secrets.token
      const token = given ?? stored ?? generateToken()
      return {
        clear: { type: 'basic' },
        secrets: { token },
        kept: given === undefined && stored ? ['auth.token'] : [],
        ...(token !== given && token !== stored ? { revealed: { token } } : {}),
      }
    }
    case 'oauth2':
      return prepareOAuth2(input, same, ctx)
    case 'hmac':
      return {
        clear: { type: 'hmac' },
        secrets: {},
        kept: [],
        signing: { secret: input.secret, rotate: input.rotate === true, windowMs: input.rotationWindowMs },
      }
    case 'ed25519':
      return prepareEd25519(input, same, ctx)
    default:
      return prepareJwt(input, same, ctx)
  }
}

function prepareOAuth2(input: Input, prev: PreviousScheme, ctx: PrepareAuthContext): PreparedScheme {
  if (input.token !== undefined)
    return { clear: { type: 'oauth2', mode: 'static' }, secrets: { token: str(input, 'token', 8192)! }, kept: [] }
  if (input.tokenUrl === undefined && prev?.stored.mode === 'static' && prev.secrets.token)
    return { clear: { type: 'oauth2', mode: 'static' }, secrets: { token: prev.secrets.token }, kept: ['auth.token'] }
  const tokenUrl = validateEndpointUrl(input.tokenUrl, ctx.allowHttp(), undefined, 'auth.tokenUrl')
  if (ctx.guard) checkEndpointUrl(tokenUrl, ctx.guard)
  const clientId = str(input, 'clientId')
  // The stored secret is kept only for the same token URL: otherwise whoever may update the
  // endpoint (but is never shown the secret) could have it sent to a server of their own.
  const keep = prev?.stored.tokenUrl === tokenUrl ? prev.secrets.clientSecret : undefined
  const given = str(input, 'clientSecret')
  const clientSecret = given ?? keep
  if (!clientId || !clientSecret) {
    const option = !clientId ? 'auth.clientId' : 'auth.clientSecret'
    throw new AuthNotApplicableError(
      option,
      `${option} is missing: oauth2 auth needs either token, or tokenUrl + clientId + clientSecret (clientSecret again when tokenUrl changes)`,
    )
  }
  const clientAuth = input.clientAuth ?? 'basic'
  if (clientAuth !== 'basic' && clientAuth !== 'body') throw new ValidationError("auth.clientAuth must be 'basic' or 'body'")
  const clear = { type: 'oauth2' as const, tokenUrl, clientId, clientAuth, scope: str(input, 'scope'), audience: str(input, 'audience') }
  return {
    clear: clean(clear) as PreparedScheme['clear'],
    secrets: { clientSecret },
    kept: given === undefined ? ['auth.clientSecret'] : [],
  }
}

async function prepareEd25519(input: Input, prev: PreviousScheme, ctx: PrepareAuthContext): Promise<PreparedScheme> {
  const given = str(input, 'privateKey')
  const endpointKey = (publicKey: unknown, privateKey: string): PreparedScheme => ({
    clear: { type: 'ed25519', keySource: 'endpoint', publicKey },
    secrets: { privateKey },
    kept: [],
  })
  if (given) return endpointKey(ed25519PublicKey(ed25519KeyObject(given)), given)
  if (!input.regenerate && prev?.stored.keySource === 'endpoint' && prev.secrets.privateKey)
    return endpointKey(prev.stored.publicKey, prev.secrets.privateKey)
  if (!input.regenerate && ctx.globalEd25519) {
    const jwk = await ctx.globalEd25519.publicJwk()
    const publicKey = `whpk_${Buffer.from(jwk.x ?? '', 'base64url').toString('base64')}`
    return { clear: { type: 'ed25519', keySource: 'global', keyId: ctx.globalEd25519.keyId, publicKey }, secrets: {}, kept: [] }
  }
  const pair = generateEd25519Pair()
  return endpointKey(pair.publicKey, pair.privateKey)
}

async function prepareJwt(input: Input, prev: PreviousScheme, ctx: PrepareAuthContext): Promise<PreparedScheme> {
  const alg = (input.alg ?? 'RS256') as JwtAlgorithm
  if (!ALGS.includes(alg)) throw new ValidationError(`auth.alg must be one of ${ALGS.join(', ')}`)
  const header = str(input, 'header', 64)?.toLowerCase()
  if (header !== undefined && !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(header)) throw new ValidationError('auth.header must be a header name')
  const scheme = input.scheme === '' ? '' : str(input, 'scheme', 32)
  if (scheme && !/^[\w.-]+$/.test(scheme)) throw new ValidationError('auth.scheme must be a single token such as Bearer')
  const claims = clean({
    type: 'jwt' as const,
    issuer: str(input, 'issuer', 256),
    subject: str(input, 'subject', 256),
    audience: str(input, 'audience', 256),
    header,
    scheme,
  }) as PreparedScheme['clear']
  let privateKey = str(input, 'privateKey', 16_384, true)
  if (!privateKey && input.generateKey) privateKey = await generatePem(alg)
  if (
    !privateKey &&
    prev?.stored.keySource === 'endpoint' &&
    prev.secrets.privateKey &&
    (input.alg === undefined || input.alg === prev.stored.alg)
  ) {
    const { alg: kept, keyId, publicJwk } = prev.stored
    return {
      clear: { ...claims, keySource: 'endpoint', alg: kept, keyId, publicJwk },
      secrets: { privateKey: prev.secrets.privateKey },
      kept: [],
    }
  }
  if (!privateKey) {
    if (!ctx.hasGlobalJwt)
      throw new AuthNotApplicableError(
        'security.jwt',
        'jwt auth needs security.jwt (a global key), or privateKey / generateKey: true on the endpoint',
      )
    return { clear: { ...claims, keySource: 'global' }, secrets: {}, kept: [] }
  }
  const signer = localKeySigner(privateKey, { alg, keyId: str(input, 'keyId', 256) })
  const publicJwk = { ...(await signer.publicJwk()), kid: signer.keyId, alg, use: 'sig' }
  return { clear: { ...claims, keySource: 'endpoint', alg, keyId: signer.keyId, publicJwk }, secrets: { privateKey }, kept: [] }
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
