import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import { SignatureError, ValidationError } from '../errors.js'
import { ed25519PublicKeyObject } from './random-secrets.js'
import { bodyBytes, headerOf, type WebhookRequest } from './webhook-request.js'

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds (default 300). */
  tolerance?: number
  /** Current time in ms (default `Date.now()`), for tests. */
  now?: () => number
}

/** What a verified request carried. */
export interface VerifiedSignature {
  /** `webhook-id`: the message id, stable across retries; de-duplicate on it. */
  id: string
  /** `webhook-timestamp`, seconds. */
  timestamp: number
  /** Which scheme matched: `v1` (HMAC) or `v1a` (Ed25519). */
  version: 'v1' | 'v1a'
}

type Key = { version: 'v1'; secret: Buffer } | { version: 'v1a'; publicKey: KeyObject }

function toKey(s: string): Key {
  if (typeof s !== 'string') throw new ValidationError('webhook secret must be a string (whsec_… or whpk_…)')
  if (s.startsWith('whpk_')) return { version: 'v1a', publicKey: ed25519PublicKeyObject(s) }
  const secret = Buffer.from(s.replace(/^whsec_/, ''), 'base64')
  // An empty key (unset env var, '' or garbage that decodes to nothing) would verify
  // signatures anyone can compute: fail closed, as the standardwebhooks library does.
  if (secret.length === 0) throw new ValidationError('webhook secret is empty; pass whsec_<base64>')
  return { version: 'v1', secret }
}

/**
 * Verifies a Standard Webhooks request: `webhook-id`, `webhook-timestamp` within `tolerance`,
 * and a `webhook-signature` entry made with one of `secrets` — `whsec_…` HMAC secrets (`v1`)
 * or `whpk_…` Ed25519 public keys (`v1a`). Pass old and new secret during a rotation.
 * Comparisons are constant-time. Throws {@link SignatureError}.
 *
 * @example
 * ```ts
 * app.post('/hooks', express.raw({ type: '*\/*' }), (req, res) => {
 *   const { id } = verifySignature({ headers: req.headers, body: req.body }, process.env.WEBHOOK_SECRET!)
 *   res.sendStatus(204)
 * })
 * ```
 */
export function verifySignature(
  request: WebhookRequest,
  secrets: string | readonly string[],
  options: VerifySignatureOptions = {},
): VerifiedSignature {
  const id = headerOf(request.headers, 'webhook-id')
  const ts = headerOf(request.headers, 'webhook-timestamp')
  const header = headerOf(request.headers, 'webhook-signature')
  if (!id || !ts || !header) throw new SignatureError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required')
  if (!/^\d{1,15}$/.test(ts)) throw new SignatureError('bad_timestamp', 'webhook-timestamp is not a number of seconds')
  const timestamp = Number(ts)
  const now = Math.floor((options.now ?? Date.now)() / 1000)
  const tolerance = options.tolerance ?? 300
  if (now - timestamp > tolerance) throw new SignatureError('timestamp_too_old', `webhook-timestamp is more than ${tolerance}s old`)
  if (timestamp - now > tolerance)
    throw new SignatureError('timestamp_too_new', `webhook-timestamp is more than ${tolerance}s in the future`)

  const signed = Buffer.concat([Buffer.from(`${id}.${ts}.`, 'utf8'), bodyBytes(request.body)])
  const keys = (typeof secrets === 'string' ? [secrets] : secrets).map(toKey)
  const given = header.split(' ').map((entry) => {
    const comma = entry.indexOf(',')
    return { version: entry.slice(0, comma), signature: Buffer.from(entry.slice(comma + 1), 'base64') }
  })
  for (const key of keys) {
    const expected = key.version === 'v1' ? createHmac('sha256', key.secret).update(signed).digest() : null
    for (const g of given) {
      if (g.version !== key.version) continue
      const ok =
        key.version === 'v1'
          ? g.signature.length === expected!.length && timingSafeEqual(g.signature, expected!)
          : g.signature.length === 64 && verify(null, signed, key.publicKey, g.signature)
      if (ok) return { id, timestamp, version: key.version }
    }
  }
  throw new SignatureError('no_match', 'no webhook-signature entry matches the configured secrets')
}
