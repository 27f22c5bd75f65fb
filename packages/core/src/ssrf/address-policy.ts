import ipaddr from 'ipaddr.js'

/** A parsed `security.ssrf.allow` list: host names, and addresses or CIDR ranges. */
export interface AllowList {
  hosts: Set<string>
  ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>
}

/**
 * Parses allow-list entries: `'localhost'`, `'127.0.0.1'`, `'::1'`, `'10.0.0.0/8'`, `'fd00::/8'`.
 * Anything that is not an address or CIDR is treated as a host name (matched case-insensitively).
 */
export function parseAllowList(entries: readonly string[] = []): AllowList {
  const list: AllowList = { hosts: new Set(), ranges: [] }
  for (const raw of entries) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
    if (entry.includes('/')) {
      list.ranges.push(ipaddr.parseCIDR(entry))
    } else if (ipaddr.isValid(entry)) {
      const addr = ipaddr.parse(entry)
      list.ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128])
    } else {
      list.hosts.add(entry)
    }
  }
  return list
}

/**
 * The range an address falls in when it must not be connected to, or null when it is public
 * unicast. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 it carries; every
 * IPv6 transition range (NAT64, 6to4, Teredo, IPv4-compatible) is refused outright, since it
 * can tunnel to an internal IPv4 address.
 */
export function blockedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid'
  const addr = ipaddr.process(address)
  const range = addr.range()
  if (range !== 'unicast') return range
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).match(IPV4_COMPATIBLE) ? 'ipv4Compatible' : null
}

// ::/96 (deprecated IPv4-compatible addresses): ipaddr.js calls most of it unicast.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96')

/** Whether an address is covered by the allow list (mapped IPv4 compared as IPv4 too). */
export function isAllowedAddress(address: string, list: AllowList): boolean {
  if (list.ranges.length === 0 || !ipaddr.isValid(address)) return false
  const forms = [ipaddr.parse(address), ipaddr.process(address)]
  return list.ranges.some(([net, bits]) => forms.some((a) => a.kind() === net.kind() && a.match(net, bits)))
}
