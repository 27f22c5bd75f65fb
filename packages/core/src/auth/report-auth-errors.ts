import { AuthError } from '../errors.js'
import type { Authenticator } from '../http/authenticator.js'
import { isPromiseLike } from '../transaction/maybe-async.js'

// Faults of the stored credentials or the configuration, not of a receiver or token server:
// the endpoint cannot be sent to until someone acts, so they are reported, not only logged.
const CREDENTIAL_FAULTS = new Set(['undecryptable', 'unbound', 'not_applicable', 'not_configured'])

/**
 * Wraps an authenticator so that credentials it cannot apply (secrets that fail to decrypt
 * because they were moved or their URL changed, auth never applied, a missing global key) are
 * reported through `report` before the attempt fails.
 */
export function reportingAuthenticator(inner: Authenticator, report: (error: AuthError, endpointId: string) => void): Authenticator {
  const fail = (err: unknown, endpointId: string): never => {
    if (err instanceof AuthError && CREDENTIAL_FAULTS.has(err.reason)) report(err, endpointId)
    throw err
  }
  return {
    // A synchronous answer (HMAC signing, no auth) stays synchronous: no promise per attempt.
    headers(ctx) {
      try {
        const headers = inner.headers(ctx)
        return isPromiseLike(headers) ? Promise.resolve(headers).catch((err: unknown) => fail(err, ctx.endpoint.id)) : headers
      } catch (err) {
        return fail(err, ctx.endpoint.id)
      }
    },
    ...(inner.onUnauthorized && { onUnauthorized: (ctx) => inner.onUnauthorized!(ctx) }),
  }
}
