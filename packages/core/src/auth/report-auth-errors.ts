import { AuthError } from '../errors.js'
import type { Authenticator } from '../http/authenticator.js'

// Faults of the stored credentials or the configuration, not of a receiver or token server:
// the endpoint cannot be sent to until someone acts, so they are reported, not only logged.
const CREDENTIAL_FAULTS = new Set(['undecryptable', 'unbound', 'not_applicable', 'not_configured'])

/**
 * Wraps an authenticator so that credentials it cannot apply (secrets that fail to decrypt
 * because they were moved or their URL changed, auth never applied, a missing global key) are
 * reported through `report` before the attempt fails.
 */
export function reportingAuthenticator(inner: Authenticator, report: (error: AuthError, endpointId: string) => void): Authenticator {
  return {
    async headers(ctx) {
      try {
        return await inner.headers(ctx)
      } catch (err) {
        if (err instanceof AuthError && CREDENTIAL_FAULTS.has(err.reason)) report(err, ctx.endpoint.id)
        throw err
      }
    },
    ...(inner.onUnauthorized && { onUnauthorized: (ctx) => inner.onUnauthorized!(ctx) }),
  }
}
