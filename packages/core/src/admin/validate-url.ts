import { InvalidUrlError } from '../errors.js'
import type { Transports } from '../transport/transports.js'

/**
 * Checks an endpoint URL: absolute, `https` (or `http` when allowed), no credentials, no
 * fragment. Address checks (SSRF) happen at connect time, where DNS answers are final. A URL
 * of another scheme is accepted when one of `transports` handles it and its check passes.
 * `field` names the URL in messages (an OAuth2 token URL is checked the same way).
 */
export function validateEndpointUrl(raw: unknown, allowHttp: boolean, transports?: Transports, field = 'endpoint url'): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new InvalidUrlError(`${field} must be a non-empty string`)
  if (raw.length > 2048) throw new InvalidUrlError(`${field} is longer than 2048 characters`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // Not echoed: a malformed URL may still carry credentials.
    throw new InvalidUrlError(`${field} is not a valid absolute URL`)
  }
  if (url.username || url.password) throw new InvalidUrlError(`${field} must not carry credentials; use endpoint auth instead`)
  const other = url.protocol === 'https:' || url.protocol === 'http:' ? undefined : transports?.forScheme(url.protocol)
  if (other) {
    other.validateUrl?.(url)
    return url.toString()
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:'))
    throw new InvalidUrlError(
      url.protocol === 'http:'
        ? `${field} must use https (set http.allowHttp to allow http): ${shown}`
        : `${field} must use https, got ${url.protocol} (no transport handles ${url.protocol} URLs; add one with createOutbox({ transports }))`,
    )
  if (url.hash) throw new InvalidUrlError(`${field} must not have a fragment`)
  return url.toString()
}
