import type { Agent } from 'undici'
import type { Clock } from '../clock.js'
import { ValidationError } from '../errors.js'
import type { HttpTransportOptions } from '../http/transport.js'
import { guardedConnector } from '../ssrf/guarded-connector.js'
import { createSsrfGuard, type SsrfGuard } from '../ssrf/ssrf-guard.js'
import { createSecurity, type OutboxSecurity, type SecurityOptions } from './outbox-security.js'

/** What `createOutbox` takes from its `security` option. */
export interface SecurityWiring {
  /** Full security (auth + secrets), when the option was given. */
  security: OutboxSecurity | null
  guard: SsrfGuard | null
  /** Transport options with the guarded connector in place. */
  http: HttpTransportOptions | undefined
  close(): Promise<void>
}

/**
 * Resolves `createOutbox({ security, http })`: builds the security layer when asked, and puts
 * the SSRF guard into the transport's connector. A caller-supplied `http.dispatcher` is used
 * as is (the caller owns its connections and their checks).
 */
export function wireSecurity(
  input: SecurityOptions | OutboxSecurity | undefined,
  http: (HttpTransportOptions & { allowHttp?: boolean }) | undefined,
  clock: Clock,
): SecurityWiring {
  const security = !input
    ? null
    : isOutboxSecurity(input)
      ? input
      : createSecurity({ ...input, clock: input.clock ?? clock, allowHttp: input.allowHttp ?? http?.allowHttp })
  // Without a `security` option private addresses are still refused: the safe default for URLs tenants type in.
  const guard = security ? security.guard : createSsrfGuard()
  if (!guard || http?.dispatcher) return { security, guard, http, close: async () => security?.close() }
  const connect = http?.agentOptions?.connect
  if (typeof connect === 'function')
    throw new ValidationError(
      'http.agentOptions.connect as a function would bypass the SSRF guard; pass connect options, or security.ssrf.enabled: false',
    )
  const agentOptions: Agent.Options = { ...http?.agentOptions, connect: guardedConnector(guard, connect ?? {}) }
  return { security, guard, http: { ...http, agentOptions }, close: async () => security?.close() }
}

function isOutboxSecurity(v: SecurityOptions | OutboxSecurity): v is OutboxSecurity {
  return (v as OutboxSecurity).kind === 'hookbox.security'
}
