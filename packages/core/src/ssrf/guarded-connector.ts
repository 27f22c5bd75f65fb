import type { LookupAddress, LookupOneOptions } from 'node:dns'
import net from 'node:net'
import { buildConnector } from 'undici'
import type { SsrfGuard } from './ssrf-guard.js'

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `dns.lookup`-compatible function that resolves through the guard, so the socket connects
 * only to addresses that were checked: there is no second resolution to rebind.
 */
export function guardedLookup(guard: SsrfGuard) {
  return (hostname: string, options: LookupOneOptions & { all?: boolean }, callback: LookupCallback): void => {
    guard.resolve(hostname).then(
      (addresses) => {
        const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses
        if (usable.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), [])
        if (options.all) callback(null, usable)
        else callback(null, usable[0]!.address, usable[0]!.family)
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    )
  }
}

/**
 * An undici connector that refuses blocked addresses. Host names are resolved through the
 * guard (a `dns.lookup` that returns only checked addresses); literal IPs (for which Node skips
 * `lookup`) are checked before any socket is opened.
 *
 * @example
 * ```ts
 * new Agent({ connect: guardedConnector(createSsrfGuard()) })
 * ```
 */
export function guardedConnector(guard: SsrfGuard, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup(guard) } as buildConnector.BuildOptions)
  return (opts, callback) => {
    if (net.isIP(opts.hostname)) {
      try {
        guard.checkAddress(opts.hostname, opts.hostname)
      } catch (err) {
        return callback(err as Error, null)
      }
    }
    return connect(opts, callback)
  }
}
