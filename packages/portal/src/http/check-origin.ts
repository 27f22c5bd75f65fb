import { CsrfError } from '@hookbox/core'

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * CSRF defence for cookie sessions, applied to every state-changing request before the host's
 * `authorize` sees it: a browser names the page's origin in `Origin` (or at least tells
 * `Sec-Fetch-Site`), which must be the portal's own or a trusted one. A request with neither
 * header is a non-browser client, allowed only when it carries no cookie (its credentials are
 * then a token it sent on purpose). JSON bodies must say `application/json`, which a
 * cross-site form cannot send without a CORS preflight.
 */
export function checkOrigin(request: Request, trusted: ReadonlySet<string>): void {
  if (SAFE.has(request.method)) return
  const own = new URL(request.url).origin
  const origin = request.headers.get('origin')
  const site = request.headers.get('sec-fetch-site')
  if (origin !== null) {
    if (origin !== own && !trusted.has(origin)) throw new CsrfError(`cross-site request from ${origin} refused`)
  } else if (site !== null) {
    if (site !== 'same-origin' && site !== 'none') throw new CsrfError(`cross-site request (sec-fetch-site: ${site}) refused`)
  } else if (request.headers.has('cookie')) {
    throw new CsrfError('a state-changing request with a cookie must carry an Origin header')
  }
  const type = request.headers.get('content-type')
  if (request.headers.get('content-length') !== '0' && request.body !== null && !/^application\/json\b/i.test(type ?? ''))
    throw new CsrfError('request bodies must be application/json')
}
