import { Webhook } from 'standardwebhooks'
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
  return `${c.id}.${c.timestamp}.${c.body}`
}

/**
 * HMAC-SHA256 (`v1`) with each secret, newest first, through the reference `standardwebhooks`
 * library. During a rotation several secrets sign, so receivers holding either one verify.
 */
export function hmacSigner(secrets: readonly string[]): WebhookSigner {
  const hooks = secrets.map((s) => new Webhook(s))
  return { sign: (c) => hooks.map((h) => h.sign(c.id, new Date(c.timestamp * 1000), c.body)) }
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
