import { blockedCause } from '../ssrf/blocked-cause.js'
import type { TransportErrorKind } from '../transport/transport.js'

/**
 * How an attempt whose credentials could not be produced is recorded: a token request the
 * SSRF guard refused is `blocked`, like a refused endpoint address; anything else is an
 * authentication failure.
 */
export function authFailure(err: unknown): { kind: TransportErrorKind; message: string } {
  const message = (err as Error)?.message ?? String(err)
  if (blockedCause(err)) return { kind: 'blocked', message }
  return { kind: 'other', message: `authentication failed: ${message}` }
}
