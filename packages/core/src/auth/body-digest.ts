import { createHash } from 'node:crypto'

/** Name of the JWT claim that binds a token to the exact body sent. */
export const BODY_DIGEST_CLAIM = 'body_sha256'

/** Name of the JWT claim carrying the message id (the `webhook-id` header). */
export const MESSAGE_ID_CLAIM = 'webhook_id'

/** SHA-256 of the body's UTF-8 bytes, base64url without padding. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url')
}
