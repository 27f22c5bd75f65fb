import type { JWTPayload } from 'jose'
import type { AttemptContext } from '../http/authenticator.js'
import { BODY_DIGEST_CLAIM, MESSAGE_ID_CLAIM, bodyDigest } from './body-digest.js'

/** Claim settings of one endpoint's tokens. */
export interface JwtClaimOptions {
  issuer: string
  subject?: string
  audience?: string
  /** Lifetime in seconds (default 300). */
  ttlSeconds?: number
}

/**
 * The claims of one attempt's token: `iat`/`exp` from the outbox clock, `jti` = attempt id,
 * plus the message id and body digest, so the token is worthless for another body or later.
 */
export function webhookJwtClaims(ctx: AttemptContext, options: JwtClaimOptions): JWTPayload {
  const claims: JWTPayload = {
    iss: options.issuer,
    iat: ctx.timestamp,
    exp: ctx.timestamp + (options.ttlSeconds ?? 300),
    jti: ctx.attemptId,
    [MESSAGE_ID_CLAIM]: ctx.messageId,
    [BODY_DIGEST_CLAIM]: bodyDigest(ctx.body),
  }
  if (options.subject) claims.sub = options.subject
  if (options.audience) claims.aud = options.audience
  return claims
}
