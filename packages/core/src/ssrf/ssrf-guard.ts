import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import net from 'node:net'
import { SsrfBlockedError } from '../errors.js'
import { blockedRange, isAllowedAddress, parseAllowList } from './address-policy.js'

/** Resolves a host name to every address it has (the shape of `dns.promises.lookup(h, { all: true })`). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>

/** Options of the SSRF guard (`security.ssrf`). */
export interface SsrfOptions {
  /**
   * Disables the guard entirely. Only for trusted configurations where every endpoint URL is
   * chosen by the host's own developers.
   */
  enabled?: boolean
  /**
   * Hosts, addresses and CIDR ranges that may be reached even though they are private, e.g.
   * `['127.0.0.1', '::1', 'localhost']` for local receivers in dev and tests.
   */
  allow?: readonly string[]
  /** DNS resolution, injectable for tests (default: `dns.lookup` with `all: true`). */
  resolve?: Resolver
}

/** Decides whether a host or address may be connected to. Build with {@link createSsrfGuard}. */
export interface SsrfGuard {
  /** Throws {@link SsrfBlockedError} unless `address` is public or allow-listed. */
  checkAddress(host: string, address: string): void
  /**
   * Resolves `host` and returns its addresses, all checked; a literal IP is checked as is.
   * Throws {@link SsrfBlockedError} when any address is refused.
   */
  resolve(host: string): Promise<LookupAddress[]>
  /** Whether the host name itself is allow-listed (its addresses are then not checked). */
  hostAllowed(host: string): boolean
}

const systemResolve: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))))

/**
 * Builds the SSRF guard: loopback, private, link-local (cloud metadata), multicast,
 * unspecified, CGNAT, reserved and IPv6 transition addresses are refused unless allow-listed.
 *
 * @example
 * ```ts
 * const guard = createSsrfGuard({ allow: ['127.0.0.1', '::1', 'localhost'] })
 * ```
 */
export function createSsrfGuard(options: SsrfOptions = {}): SsrfGuard {
  const allow = parseAllowList(options.allow)
  const resolver = options.resolve ?? systemResolve
  const enabled = options.enabled !== false
  const hostAllowed = (host: string) => !enabled || allow.hosts.has(host.toLowerCase())
  const checkAddress = (host: string, address: string) => {
    if (!enabled || hostAllowed(host) || isAllowedAddress(address, allow)) return
    const range = blockedRange(address)
    if (range) throw new SsrfBlockedError(host, address, range)
  }
  return {
    checkAddress,
    hostAllowed,
    async resolve(host) {
      const bare = host.replace(/^\[(.*)\]$/, '$1')
      const family = net.isIP(bare)
      if (family) {
        checkAddress(bare, bare)
        return [{ address: bare, family }]
      }
      const addresses = await resolver(bare)
      // Every address is checked, not just the first: the socket may fall back to any of them.
      for (const a of addresses) checkAddress(bare, a.address)
      return addresses
    },
  }
}
