import { InvalidUrlError } from '../errors.js'

/**
 * Checks an endpoint URL: absolute, `https` (or `http` when allowed), no credentials, no
 * fragment. Address checks (SSRF) happen at connect time, where DNS answers are final.
 */
export function validateEndpointUrl(raw: unknown, allowHttp: boolean): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new InvalidUrlError('endpoint url must be a non-empty string')
  if (raw.length > 2048) throw new InvalidUrlError('endpoint url is longer than 2048 characters')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InvalidUrlError(`endpoint url is not a valid absolute URL: ${JSON.stringify(raw)}`)
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:'))
    throw new InvalidUrlError(
      url.protocol === 'http:'
        ? `endpoint url must use https (set http.allowHttp to allow http): ${raw}`
        : `endpoint url must use https, got ${url.protocol}`,
    )
  if (url.username || url.password) throw new InvalidUrlError('endpoint url must not carry credentials; use endpoint auth instead')
  if (url.hash) throw new InvalidUrlError('endpoint url must not have a fragment')
  return url.toString()
}
