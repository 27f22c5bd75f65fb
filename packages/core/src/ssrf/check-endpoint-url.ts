import net from 'node:net'
import type { SsrfGuard } from './ssrf-guard.js'

/**
 * Refuses an endpoint URL whose host is a literal blocked IP, at registration, with a typed
 * {@link SsrfBlockedError}. Host names are not resolved here: DNS answers can change, so they
 * are checked at connect time instead.
 */
export function checkEndpointUrl(url: unknown, guard: SsrfGuard): void {
  if (typeof url !== 'string' || !URL.canParse(url)) return // validateEndpointUrl reports it
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  if (net.isIP(host)) guard.checkAddress(host, host)
}
