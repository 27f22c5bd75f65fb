/** The URL an attempt goes to: the endpoint's, with `/{requestId}` appended to the path if asked. */
export function requestUrl(url: string, requestId: string, appendRequestId: boolean): string {
  if (!appendRequestId) return url
  const u = new URL(url)
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${encodeURIComponent(requestId)}`
  return u.toString()
}
