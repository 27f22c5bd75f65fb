import { InvalidUrlError } from '@hookbox/core'

// RFC 5322 dot-atom local part (no quoted strings) and a DNS domain: strict on purpose, since
// the address goes into an SMTP envelope and a mail header.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/**
 * The one recipient of a `mailto:` endpoint URL, domain lower-cased. Refuses (with core's
 * `InvalidUrlError`) query fields (`?cc=`, `?bcc=`, `?subject=`, `?body=`): the transport
 * decides the subject and body, and a webhook endpoint has exactly one recipient.
 */
export function parseMailtoUrl(url: URL | string): string {
  const u = typeof url === 'string' ? safeUrl(url) : url
  if (u.protocol !== 'mailto:') throw new InvalidUrlError(`not a mailto: URL: ${u.protocol}`)
  if (u.search)
    throw new InvalidUrlError(
      'mailto: endpoint must not have query fields (cc, bcc, subject, body…); it has exactly one recipient and Hookbox writes the mail',
    )
  if (u.hash) throw new InvalidUrlError('mailto: endpoint must not have a fragment')
  let raw: string
  try {
    raw = decodeURIComponent(u.pathname)
  } catch {
    throw new InvalidUrlError('mailto: endpoint has a malformed percent-encoding')
  }
  if (raw.includes(',')) throw new InvalidUrlError('mailto: endpoint must name exactly one address')
  return checkAddress(raw)
}

/** Checks one bare address (`local@domain`) and returns it with the domain lower-cased. */
export function checkAddress(address: string): string {
  const at = address.lastIndexOf('@')
  if (at <= 0 || address.length > 254) throw new InvalidUrlError('mailto: endpoint must be one address, local@domain')
  const local = address.slice(0, at)
  const domain = address.slice(at + 1).toLowerCase()
  if (local.length > 64 || !LOCAL.test(local)) throw new InvalidUrlError('mailto: endpoint has an invalid local part (before the @)')
  const labels = domain.split('.')
  if (domain.length > 253 || !labels.every((l) => LABEL.test(l)))
    throw new InvalidUrlError('mailto: endpoint has an invalid domain (after the @)')
  return `${local}@${domain}`
}

function safeUrl(raw: string): URL {
  try {
    return new URL(raw)
  } catch {
    throw new InvalidUrlError('endpoint url is not a valid absolute URL')
  }
}
