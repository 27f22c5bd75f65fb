/**
 * An endpoint URL fit for a span's `url.full`: credentials dropped and every query value
 * replaced by `REDACTED` (tokens often ride in the query string). Null for URLs that are not
 * HTTP(S), such as `mailto:` addresses, which are personal data.
 */
export function spanUrl(url: string): URL | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null
  u.username = ''
  u.password = ''
  for (const key of new Set(u.searchParams.keys())) u.searchParams.set(key, 'REDACTED')
  return u
}
