import type { EndpointRecord } from '../store/records.js'

/** What an authenticator knows about the attempt it signs. */
export interface AttemptContext {
  endpoint: EndpointRecord
  messageId: string
  /** Unique per HTTP attempt (a ULID); used as JWT `jti`. */
  attemptId: string
  eventType: string
  /** The exact body that will be sent. */
  body: string
  /** The final URL, `{requestId}` appended where asked. */
  url: string
  /** Seconds since the epoch, from the outbox clock. */
  timestamp: number
}

/**
 * Adds authentication to outgoing requests. The outbox builds one from its `security` options;
 * supply your own to keep keys in a KMS or add a scheme Hookbox lacks.
 */
export interface Authenticator {
  /** Headers to add to this attempt (may be async, e.g. to fetch an OAuth2 token). */
  headers(ctx: AttemptContext): Promise<Record<string, string>> | Record<string, string>
  /** Called after a 401; resolve true to resend once at once (e.g. after refreshing a token). */
  onUnauthorized?(ctx: AttemptContext): Promise<boolean>
}

/** Sends no credentials. */
export const noAuthentication: Authenticator = { headers: () => ({}) }
