import { createHmac } from 'node:crypto'
import type { KeySigner } from './key-signer.js'

/** What a Standard Webhooks signature covers: `${id}.${timestamp}.${body}`. */
export interface SignedContent {
  /** The `webhook-id` header (the message id). */
  id: string
  /** The `webhook-timestamp` header, in seconds. */
  timestamp: number
  /** The exact body sent. */
  body: string
}

/**
 * Produces `webhook-signature` entries (`v1,<base64>` or `v1a,<base64>`). Implement it to sign
 * with a key held in a KMS; the entries are joined with spaces into one header.
 */
export interface WebhookSigner {
  sign(content: SignedContent): Promise<string[]> | string[]
}

/** The string both schemes sign. */
export function signedPayload(c: SignedContent): string {
  return `${signedPrefix(c)}${c.body}`
}

/** What comes before the body in the {@link signedPayload}: `${id}.${timestamp}.`. */
function signedPrefix(c: SignedContent): string {
  return `${c.id}.${c.timestamp}.`
}

/**
 * HMAC-SHA256 (`v1`) with each secret, newest first. During a rotation several secrets sign,
 * so receivers holding either one verify. Node's HMAC gives the bytes the reference
 * `standardwebhooks` library gives (the tests verify with it) in a fifth of its time, which
 * counts now that every endpoint is signed.
 */
export function hmacSigner(secrets: readonly string[]): WebhookSigner {
  const keys = secrets.map(hmacKey)
  return {
    sign: (c) => keys.map((k) => hmacSignature(k, c)),
  }
}

/** The key bytes of a `whsec_…` secret (base64 after the prefix). */
export function hmacKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
}

/**
 * One `v1,<base64>` entry: HMAC-SHA256 of the {@link signedPayload} with `key`. The body is
 * hashed after the short prefix, not copied into one string with it first: the same bytes.
 */
export function hmacSignature(key: Buffer, c: SignedContent): string {
  return `v1,${createHmac('sha256', key).update(signedPrefix(c)).update(c.body).digest('base64')}`
}

/** Ed25519 (`v1a`) over the same content, by a local key or a KMS through {@link KeySigner}. */
export function ed25519Signer(key: KeySigner): WebhookSigner {
  return {
    async sign(c) {
      const signature = await key.sign(new TextEncoder().encode(signedPayload(c)))
      return [`v1a,${Buffer.from(signature).toString('base64')}`]
    },
  }
}
