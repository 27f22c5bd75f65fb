import type { Agent } from 'undici'
import type { EndpointSecurity } from '../admin/endpoint-security.js'
import type { Clock } from '../clock.js'
import { ValidationError } from '../errors.js'
import type { Authenticator } from '../http/authenticator.js'
import type { HttpTransportOptions } from '../http/transport.js'
import { guardedConnector } from '../ssrf/guarded-connector.js'
import type { SsrfGuard } from '../ssrf/ssrf-guard.js'
import { createSecurity, shareOutboxSettings, type OutboxSecurity, type SecurityOptions } from './outbox-security.js'

/** The options of `createOutbox` that decide its security. */
export interface SecurityInput {
  security?: SecurityOptions | OutboxSecurity
  http?: HttpTransportOptions & { allowHttp?: boolean }
  clock?: Clock
  authenticator?: Authenticator
  endpointSecurity?: EndpointSecurity
  development?: boolean
}

/** What `development: true` lets through the SSRF guard: this machine's loopback addresses. */
export const DEVELOPMENT_ALLOW = ['127.0.0.0/8', '::1', 'localhost'] as const

/** What `createOutbox` takes from its security options. */
export interface SecurityWiring {
  /** Auth, secrets and the SSRF guard: from the option, or the defaults when it is absent. */
  security: OutboxSecurity
  guard: SsrfGuard | null
  /** The one clock of the outbox and its security. */
  clock: Clock
  /** The one `allowHttp` of endpoint and token URLs. */
  allowHttp: boolean
  /** Transport options with the guarded connector in place. */
  http: HttpTransportOptions | undefined
  close(): Promise<void>
}

/**
 * Resolves `createOutbox({ security, http, clock })`. Security is always on: without the
 * option the outbox still generates, signs, encrypts (with `HOOKBOX_ENCRYPTION_KEY`) and
 * guards, so no endpoint's `auth` is stored and then ignored. The outbox and its security
 * share one clock and one `allowHttp`. The SSRF guard goes into the transport's connector;
 * what would bypass it (a dispatcher of the caller's, a connect function) is refused unless
 * the guard is turned off in the same options.
 */
export function wireSecurity(options: SecurityInput): SecurityWiring {
  if (options.authenticator && !options.endpointSecurity)
    throw new ValidationError(
      'a custom authenticator needs endpointSecurity too: the built-in one stores credentials only its own authenticator can apply',
    )
  const input = options.security
  const dev = options.development === true
  if (options.development !== undefined && typeof options.development !== 'boolean')
    throw new ValidationError(`development must be true or false, got ${JSON.stringify(options.development)}`)
  if (dev && input && isOutboxSecurity(input))
    throw new ValidationError(
      'development: true cannot widen a security object built beforehand; pass createSecurity({ ssrf: { allow: ["127.0.0.1"] } }) instead',
    )
  const security = input && isOutboxSecurity(input) ? input : createSecurity(dev ? developmentSecurity(input) : { ...input })
  const { clock, allowHttp } = shareOutboxSettings(security, {
    clock: options.clock,
    allowHttp: options.http?.allowHttp ?? (dev ? true : undefined),
  })
  const { guard } = security
  const http = options.http
  const wiring = { security, guard, clock, allowHttp, close: async () => security.close() }
  if (!guard) return { ...wiring, http }
  if (http?.dispatcher)
    throw new ValidationError(
      'http.dispatcher would connect without the SSRF guard (Hookbox cannot check the addresses your dispatcher connects to); ' +
        'use http.agentOptions for connection settings, or set security.ssrf.enabled: false if every endpoint URL comes from your own code',
    )
  const connect = http?.agentOptions?.connect
  if (typeof connect === 'function')
    throw new ValidationError(
      'http.agentOptions.connect as a function would bypass the SSRF guard; pass connect options, or security.ssrf.enabled: false',
    )
  const agentOptions: Agent.Options = { ...http?.agentOptions, connect: guardedConnector(guard, connect ?? {}) }
  return { ...wiring, http: { ...http, agentOptions } }
}

/** Security options with loopback added to the SSRF allow-list (everything else is still refused). */
function developmentSecurity(input: SecurityOptions | undefined): SecurityOptions {
  const allow = [...(input?.ssrf?.allow ?? []), ...DEVELOPMENT_ALLOW]
  return { ...input, ssrf: { ...input?.ssrf, allow } }
}

function isOutboxSecurity(v: SecurityOptions | OutboxSecurity): v is OutboxSecurity {
  return (v as OutboxSecurity).kind === 'hookbox.security'
}
