import { ValidationError } from '@hookbox/core'

const MAX_BODY_BYTES = 64 * 1024

/** The request's JSON object body (`{}` when empty); a malformed or oversized one is a ValidationError. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text()
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ValidationError(`request body is over ${MAX_BODY_BYTES} bytes`)
  if (text.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ValidationError('request body is not valid JSON')
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object')
  return body as Record<string, unknown>
}
