import { timingSafeEqual } from 'node:crypto'
import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose'
import { AuthError } from '../errors.js'
import { BODY_DIGEST_CLAIM, MESSAGE_ID_CLAIM, bodyDigest } from './body-digest.js'
import type { JwtAlgorithm } from './endpoint-auth.js'
import type { ReplayCache } from './replay-cache.js'
import { bodyBytes, headerOf, type WebhookRequest } from './webhook-request.js'

/** Options of {@link verifyJwt}. */
export interface VerifyJwtOptions {
  /** Expected `iss` (e.g. `one.frankie.api`); strongly recommended. */
  issuer?: string | string[]
  audience?: string | string[]
  subject?: string
  /** Header carrying the token (default `authorization`). */
  header?: string
  /** Scheme before the token (default `Bearer`; `''` for a bare token). */
  scheme?: string
  /** Accepted algorithms (default RS256, ES256, EdDSA). */
  algorithms?: JwtAlgorithm[]
  /** Leeway for `iat`/`exp`, in seconds (default 5). */
  clockTolerance?: number
  /** Reject tokens issued longer ago than this many seconds, whatever their `exp` (default 600). */
  maxTokenAge?: number
  /** Current time in ms (default `Date.now()`), for tests. */
  now?: () => number
  /** Refuses a second use of the same `jti`; see `createReplayCache`. */
  replay?: ReplayCache
}

/** A verified token. */
export interface VerifiedJwt {
  payload: JWTPayload
  /** The message id (`webhook_id` claim); stable across retries. */
  messageId: string | undefined
}

const REASONS: Array<[new (...a: never[]) => Error, string]> = [
  [errors.JWTExpired, 'expired'],
  [errors.JWTClaimValidationFailed, 'claim_invalid'],
  [errors.JWSSignatureVerificationFailed, 'bad_signature'],
  [errors.JWKSNoMatchingKey, 'unknown_key'],
  [errors.JOSEAlgNotAllowed, 'alg_not_allowed'],
  [errors.JWTInvalid, 'malformed'],
  [errors.JWSInvalid, 'malformed'],
]

/**
 * Verifies a Hookbox/FrankieOne-style webhook JWT: signature against `keys` (a JWKS, a jose
 * key set function such as `createRemoteJWKSet(url)`, or a public key), `iss`, `exp`, then
 * that `body_sha256` matches the raw body received (constant-time) and `webhook_id` the
 * `webhook-id` header, and with `replay` that the `jti` was not used before.
 * Throws {@link AuthError} with a `reason`.
 *
 * @example
 * ```ts
 * const jwks = createRemoteJWKSet(new URL('https://api.example.com/.well-known/jwks.json'))
 * const replay = createReplayCache()
 * await verifyJwt({ headers: req.headers, body: rawBody }, jwks, { issuer: 'one.frankie.api', replay })
 * ```
 */
export async function verifyJwt(
  request: WebhookRequest,
  keys: JSONWebKeySet | JWTVerifyGetKey | CryptoKey | KeyObject,
  options: VerifyJwtOptions = {},
): Promise<VerifiedJwt> {
  const raw = headerOf(request.headers, options.header ?? 'authorization')?.trim()
  const scheme = options.scheme ?? 'Bearer'
  const match = raw && (scheme ? new RegExp(`^${scheme}\\s+(\\S+)$`, 'i').exec(raw)?.[1] : /^\S+$/.test(raw) ? raw : undefined)
  if (!match)
    throw new AuthError('missing_token', `no ${scheme ? `${scheme} ` : ''}token in the ${options.header ?? 'authorization'} header`)
  const getKey = 'keys' in keys && Array.isArray((keys as JSONWebKeySet).keys) ? createLocalJWKSet(keys as JSONWebKeySet) : keys
  const now = (options.now ?? Date.now)()
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(match, getKey as JWTVerifyGetKey, {
      issuer: options.issuer,
      audience: options.audience,
      subject: options.subject,
      algorithms: options.algorithms ?? ['RS256', 'ES256', 'EdDSA'],
      clockTolerance: options.clockTolerance ?? 5,
      maxTokenAge: options.maxTokenAge ?? 600,
      currentDate: new Date(now),
      requiredClaims: ['iat', 'exp', 'jti', BODY_DIGEST_CLAIM],
    }))
  } catch (err) {
    const reason = REASONS.find(([type]) => err instanceof type)?.[1] ?? 'invalid'
    throw new AuthError(reason, `webhook token rejected: ${(err as Error).message}`, { cause: err })
  }
  const claimed = Buffer.from(String(payload[BODY_DIGEST_CLAIM]))
  const actual = Buffer.from(bodyDigest(bodyBytes(request.body)))
  if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual))
    throw new AuthError('body_mismatch', 'the body does not match the token body_sha256 claim')
  const messageId = typeof payload[MESSAGE_ID_CLAIM] === 'string' ? (payload[MESSAGE_ID_CLAIM] as string) : undefined
  const idHeader = headerOf(request.headers, 'webhook-id')
  if (idHeader && messageId && idHeader !== messageId)
    throw new AuthError('id_mismatch', 'webhook-id does not match the token webhook_id claim')
  // Remembered until the token stops verifying: exp plus the leeway jwtVerify allowed.
  const lastValid = payload.exp! + (options.clockTolerance ?? 5)
  if (options.replay && !(await options.replay.firstUse(payload.jti!, lastValid, Math.floor(now / 1000))))
    throw new AuthError('replayed', 'this token (jti) was already used')
  return { payload, messageId }
}
