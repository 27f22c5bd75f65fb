import type { EndpointRecord } from '../store/records.js'

/**
 * How endpoint credentials (auth, signing secrets, secret headers) are prepared for storage
 * and shown back. The security layer supplies one that generates secrets, encrypts them at
 * rest bound to their endpoint, and redacts them from every view.
 */
export interface EndpointSecurity {
  /**
   * The stored form of an endpoint's credentials after a `create` or `update`, and the secrets
   * generated for the caller (shown once). Throws a typed error, before anything is written,
   * for a scheme it cannot apply.
   */
  prepare(change: CredentialChange): Promise<PreparedCredentials> | PreparedCredentials
  /** The endpoint's `auth` and `headers` as views, events and logs show them: secrets redacted. */
  view(endpoint: EndpointRecord): Pick<EndpointRecord, 'auth' | 'headers'>
  /** The endpoint's signing secrets, for a portal that shows them again on request. */
  signingSecrets(endpoint: EndpointRecord): Promise<EndpointSigningSecrets> | EndpointSigningSecrets
  /**
   * Credentials stored by an earlier release, rewritten in the current layout (bound to the
   * endpoint, headers sealed); null when there is nothing to rewrite.
   */
  reseal(endpoint: EndpointRecord): Promise<PreparedCredentials | null> | PreparedCredentials | null
}

/** What changes in an endpoint's credentials; fields left undefined keep their stored value. */
export interface CredentialChange {
  /** The endpoint as it will be stored (its id and URL). */
  endpoint: Pick<EndpointRecord, 'id' | 'url'> & { tenant?: string | null }
  /** The stored endpoint, on update; null on create. */
  previous: EndpointRecord | null
  /** The `auth` input; on create, undefined means `{ type: 'hmac' }`. */
  auth?: unknown
  /** Secret header values (checked), replacing the stored ones. */
  headers?: Record<string, string>
  /** Public header values (checked), replacing the stored ones. */
  publicHeaders?: Record<string, string>
  /** Lets credentials the receiver sees in clear follow a URL change. */
  keepCredentials?: boolean
  /** Starts a rotation of the signing secret (`endpoints.rotateSecret`). */
  rotateSecret?: { secret?: string; windowMs?: number }
}

/** Result of {@link EndpointSecurity.prepare}: what to store, and what to show once. */
export interface PreparedCredentials {
  auth: Record<string, unknown> | null
  /** The public headers, stored in clear. */
  headers: Record<string, string>
  /** Secrets generated for the caller, returned once and never again. */
  revealed?: Record<string, string>
}

/** An endpoint's Standard Webhooks signing secrets (`endpoints.revealSecret`). */
export interface EndpointSigningSecrets {
  /** The `whsec_…` secret that signs now; give it to the receiver. */
  secret: string
  /** Older secrets still signing during a rotation, with when they stop (epoch ms). */
  previous: Array<{ secret: string; expiresAt: number }>
}
