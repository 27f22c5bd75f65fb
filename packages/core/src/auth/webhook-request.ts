/** A received webhook as receiver helpers take it: raw body and headers, from any framework. */
export interface WebhookRequest {
  /** `Headers`, or a plain object such as Node's `req.headers` (names in any case). */
  headers: Headers | Record<string, string | string[] | undefined>
  /** The raw body exactly as received (not re-serialised JSON). */
  body: string | Uint8Array
}

/** One header's value from either shape, first value when repeated, or undefined. */
export function headerOf(headers: WebhookRequest['headers'], name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const wanted = name.toLowerCase()
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

/** The body as bytes, for hashing and signing. */
export function bodyBytes(body: WebhookRequest['body']): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}
